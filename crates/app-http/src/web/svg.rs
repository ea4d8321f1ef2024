//! Charts as inline SVG, drawn on the server: readable without JavaScript, styled by the
//! page's CSS (so they follow the theme), each with a title for screen readers.

use std::fmt::Write;

/// Escapes text for SVG (XML) content and attributes.
fn escape(raw: &str) -> String {
    raw.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn open(out: &mut String, width: u32, height: u32, title: &str) {
    let title = escape(title);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{title}"><title>{title}</title>"#
    );
}

/// Horizontal bars, one per label, the longest the full width; each value written beside it.
pub fn bars(title: &str, rows: &[(&str, u64)]) -> String {
    let (label_w, bar_w, row_h) = (110u32, 230u32, 26u32);
    let height = row_h * rows.len() as u32 + 8;
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let mut out = String::new();
    open(&mut out, label_w + bar_w + 50, height, title);
    for (i, (label, n)) in rows.iter().enumerate() {
        let y = 4 + row_h * i as u32;
        let w = (bar_w as u64 * n / max) as u32;
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}">{label}</text><rect class="bar" x="{label_w}" y="{y}" width="{w}" height="{bh}"/><text x="{tx}" y="{ty}">{n}</text>"#,
            ty = y + 16,
            label = escape(label),
            bh = row_h - 8,
            tx = label_w + w + 6,
        );
    }
    out.push_str("</svg>");
    out
}

/// Two lines over the same days (created and completed), with the axis labelled at its ends.
pub fn lines(title: &str, days: &[String], created: &[u64], completed: &[u64]) -> String {
    let (w, h, pad) = (360u32, 170u32, 28u32);
    let max = created
        .iter()
        .chain(completed)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let span = days.len().saturating_sub(1).max(1) as u32;
    let point = |i: usize, n: u64| {
        let x = pad + (w - 2 * pad) * i as u32 / span;
        let y = h - pad - ((h - 2 * pad) as u64 * n / max) as u32;
        format!("{x},{y}")
    };
    let path = |series: &[u64]| {
        series
            .iter()
            .enumerate()
            .map(|(i, n)| point(i, *n))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = String::new();
    open(&mut out, w, h + 20, title);
    let _ = write!(
        out,
        r#"<line class="axis" x1="{pad}" y1="{base}" x2="{right}" y2="{base}"/><line class="axis" x1="{pad}" y1="{pad}" x2="{pad}" y2="{base}"/><text x="2" y="{top}">{max}</text><text x="2" y="{base}">0</text>"#,
        base = h - pad,
        right = w - pad,
        top = pad + 4,
    );
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            out,
            r#"<text x="{pad}" y="{y}">{first}</text><text x="{x}" y="{y}" text-anchor="end">{last}</text>"#,
            y = h - pad + 16,
            x = w - pad,
            first = escape(first),
            last = escape(last),
        );
    }
    let _ = write!(
        out,
        r#"<polyline class="created" points="{}"/><polyline class="completed" points="{}"/><text x="{pad}" y="{ly}">— created</text><text x="{lx}" y="{ly}">- - completed</text></svg>"#,
        path(created),
        path(completed),
        ly = h + 14,
        lx = pad + 110,
    );
    out
}

/// Per person, a bar of open tasks and one of done tasks.
pub fn workload(title: &str, rows: &[(String, u64, u64)]) -> String {
    let (label_w, bar_w, row_h) = (130u32, 200u32, 34u32);
    let height = row_h * rows.len().max(1) as u32 + 24;
    let max = rows
        .iter()
        .map(|(_, open, done)| (*open).max(*done))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::new();
    open(&mut out, label_w + bar_w + 60, height, title);
    if rows.is_empty() {
        out.push_str(r#"<text x="0" y="20">No assigned tasks.</text>"#);
    }
    for (i, (name, open_n, done_n)) in rows.iter().enumerate() {
        let y = 4 + row_h * i as u32;
        let ow = (bar_w as u64 * open_n / max) as u32;
        let dw = (bar_w as u64 * done_n / max) as u32;
        let _ = write!(
            out,
            r#"<text x="0" y="{ty}">{name}</text><rect class="bar" x="{label_w}" y="{y}" width="{ow}" height="12"/><text x="{otx}" y="{oty}">{open_n} open</text><rect class="bar done" x="{label_w}" y="{dy}" width="{dw}" height="12"/><text x="{dtx}" y="{dty}">{done_n} done</text>"#,
            ty = y + 18,
            name = escape(name),
            otx = label_w + ow + 4,
            oty = y + 11,
            dy = y + 14,
            dtx = label_w + dw + 4,
            dty = y + 25,
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = bars("By status", &[("<todo>", 4), ("done", 2), ("none", 0)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>By status</title>"));
        assert!(svg.contains(r#"x="110" y="4" width="230""#), "{svg}");
        assert!(svg.contains(r#"width="115""#), "{svg}");
        assert!(svg.contains(r#"width="0""#), "{svg}");
        assert!(svg.contains("&lt;todo&gt;") && !svg.contains("<todo>"));
    }

    #[test]
    fn an_all_zero_chart_draws_without_dividing_by_zero() {
        let svg = bars("Empty", &[("a", 0)]);
        assert!(svg.contains(r#"width="0""#));
        let days: Vec<String> = (1..=3).map(|d| format!("2026-12-0{d}")).collect();
        let svg = lines("Flat", &days, &[0, 0, 0], &[0, 0, 0]);
        assert!(svg.contains(r#"points="28,142 180,142 332,142""#), "{svg}");
        assert!(workload("Nobody", &[]).contains("No assigned tasks."));
    }

    #[test]
    fn lines_put_the_highest_day_at_the_top() {
        let days = vec!["2026-12-01".to_owned(), "2026-12-02".to_owned()];
        let svg = lines("Created and completed", &days, &[0, 5], &[5, 0]);
        assert!(
            svg.contains(r#"class="created" points="28,142 332,28""#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"class="completed" points="28,28 332,142""#),
            "{svg}"
        );
        assert!(svg.contains(">2026-12-01<") && svg.contains(">2026-12-02<"));
    }

    #[test]
    fn workload_draws_open_and_done_per_person() {
        let svg = workload("Workload", &[("Ada <L>".into(), 3, 1)]);
        assert!(svg.contains("3 open") && svg.contains("1 done"));
        assert!(svg.contains("Ada &lt;L&gt;"));
    }
}
