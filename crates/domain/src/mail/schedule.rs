//! When mail about a notification goes out, on the recipient's own clock: at once, or at the
//! end of their hour, day or ISO week; and if that falls in their quiet hours, when those end.

use crate::identity::{Frequency, NotificationPreferences, QuietHours};
use crate::notifications::Notification;
use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// Where a notification's mail waits: its batch (the notification alone, or everything of
/// its user due at the same time) and when that batch is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub batch_key: String,
    pub due_at: DateTime<Utc>,
    pub frequency: Frequency,
}

/// The slot of `notification` as `preferences` ask at `now`; `None` when its user wants no
/// email. Digests of one user due at one time share a batch, so the periods that fell in one
/// night's quiet hours make one mail when the night ends.
pub fn schedule(
    notification: &Notification,
    preferences: &NotificationPreferences,
    now: DateTime<Utc>,
) -> Option<Slot> {
    if !preferences.email {
        return None;
    }
    let zone = preferences.time_zone.tz();
    let frequency = preferences.frequency;
    let period_end = match frequency {
        Frequency::Immediate => now,
        Frequency::Hourly => end_of_hour(zone, now),
        Frequency::Daily => midnight_after(zone, now, 1),
        Frequency::Weekly => {
            let weekday = now.with_timezone(&zone).weekday();
            midnight_after(zone, now, 7 - i64::from(weekday.num_days_from_monday()))
        }
    };
    let due_at = match preferences.quiet_hours {
        Some(quiet) => after_quiet_hours(quiet, zone, period_end),
        None => period_end,
    };
    let batch_key = match frequency {
        Frequency::Immediate => notification.notification_id.to_string(),
        digest => format!(
            "{}/{}/{}",
            notification.user_id,
            digest.as_str(),
            due_at.to_rfc3339()
        ),
    };
    Some(Slot {
        batch_key,
        due_at,
        frequency,
    })
}

/// The end of the local hour holding `now` (an hour of real time after its start, so a DST
/// change ends the hour it happens in, and half-hour zones keep their own hours).
fn end_of_hour(zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&zone);
    let into_hour = TimeDelta::minutes(i64::from(local.minute()))
        + TimeDelta::seconds(i64::from(local.second()))
        + TimeDelta::nanoseconds(i64::from(local.nanosecond()));
    now - into_hour + TimeDelta::hours(1)
}

/// Local midnight `days` days after the local date of `now`.
fn midnight_after(zone: Tz, now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let date = now.with_timezone(&zone).date_naive() + TimeDelta::days(days);
    first_instant_at_or_after(zone, date.and_time(NaiveTime::MIN))
}

/// `at`, or when the quiet hours it falls in end.
fn after_quiet_hours(quiet: QuietHours, zone: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    let local = at.with_timezone(&zone);
    let time = local.time();
    let (start, end) = (quiet.start(), quiet.end());
    let inside = if start < end {
        start <= time && time < end
    } else {
        time >= start || time < end
    };
    if !inside {
        return at;
    }
    let date: NaiveDate = if time < end {
        local.date_naive()
    } else {
        local.date_naive() + TimeDelta::days(1)
    };
    first_instant_at_or_after(zone, date.and_time(end))
}

/// The first instant whose local time in `zone` is `local` or, when a DST gap skips `local`,
/// the end of the gap; of a time that happens twice, the first.
fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut candidate = local;
    // No gap in the tz database lasts longer than a day (Samoa skipped one in 2011).
    for _ in 0..=26 * 4 {
        match zone.from_local_datetime(&candidate) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => {
                return at.with_timezone(&Utc)
            }
            LocalResult::None => candidate += TimeDelta::minutes(15),
        }
    }
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::TimeZone as Zone;
    use crate::ids::{TaskId, TeamId, UserId};
    use crate::notifications::{NotificationData, NotificationKind};
    use crate::write_path::AuditEntityType;

    fn at(raw: &str) -> DateTime<Utc> {
        match DateTime::parse_from_rfc3339(raw) {
            Ok(t) => t.with_timezone(&Utc),
            Err(e) => panic!("{raw}: {e}"),
        }
    }

    fn notification() -> Notification {
        let data = NotificationData {
            team_id: TeamId::new(),
            task_id: TaskId::new(),
            task_title: "Plan".into(),
            actor_id: None,
            entity_type: AuditEntityType::Task,
            entity_id: uuid::Uuid::now_v7(),
            action: None,
            status: None,
            previous_status: None,
            due_date: None,
            excerpt: None,
        };
        Notification::derived(
            "change",
            UserId::new(),
            NotificationKind::TaskAssigned,
            data,
            Utc::now(),
        )
    }

    fn preferences(
        frequency: Frequency,
        zone: &str,
        quiet: Option<(&str, &str)>,
    ) -> NotificationPreferences {
        fn must<T>(r: Result<T, crate::validation::FieldError>) -> T {
            match r {
                Ok(v) => v,
                Err(e) => panic!("{e}"),
            }
        }
        NotificationPreferences {
            frequency,
            time_zone: must(Zone::parse("timeZone", zone)),
            quiet_hours: quiet.map(|(s, e)| must(QuietHours::parse("quietHours", s, e))),
            ..NotificationPreferences::default()
        }
    }

    /// When mail is due for a notification made at `now`.
    fn due(frequency: Frequency, zone: &str, quiet: Option<(&str, &str)>, now: &str) -> String {
        let prefs = preferences(frequency, zone, quiet);
        match schedule(&notification(), &prefs, at(now)) {
            Some(slot) => slot.due_at.to_rfc3339(),
            None => panic!("no mail"),
        }
    }

    #[test]
    fn immediate_mail_is_due_now_in_a_batch_of_its_own() {
        let n = notification();
        let prefs = preferences(Frequency::Immediate, "UTC", None);
        let slot = schedule(&n, &prefs, at("2026-05-04T10:17:00Z"));
        assert_eq!(
            slot.map(|s| (s.batch_key, s.due_at)),
            Some((n.notification_id.to_string(), at("2026-05-04T10:17:00Z")))
        );
        let off = NotificationPreferences {
            email: false,
            ..prefs
        };
        assert_eq!(schedule(&n, &off, Utc::now()), None);
    }

    #[test]
    fn digests_are_due_at_the_end_of_the_local_period() {
        use Frequency::*;
        for (frequency, zone, now, want) in [
            (
                Hourly,
                "UTC",
                "2026-05-04T10:17:00Z",
                "2026-05-04T11:00:00+00:00",
            ),
            (
                Hourly,
                "UTC",
                "2026-05-04T10:00:00Z",
                "2026-05-04T11:00:00+00:00",
            ),
            // Kolkata is UTC+05:30: its hours end at half past, in UTC.
            (
                Hourly,
                "Asia/Kolkata",
                "2026-05-04T10:17:00Z",
                "2026-05-04T10:30:00+00:00",
            ),
            // 23:30 in Paris (UTC+2): the day ends at 22:00 UTC.
            (
                Daily,
                "Europe/Paris",
                "2026-05-04T21:30:00Z",
                "2026-05-04T22:00:00+00:00",
            ),
            // 00:30 in Paris is already the next day.
            (
                Daily,
                "Europe/Paris",
                "2026-05-04T22:30:00Z",
                "2026-05-05T22:00:00+00:00",
            ),
            // Monday 2026-05-04 10:00 New York (UTC-4): the ISO week ends Monday 05-11.
            (
                Weekly,
                "America/New_York",
                "2026-05-04T14:00:00Z",
                "2026-05-11T04:00:00+00:00",
            ),
            // Sunday 23:00 New York: the week ends within the hour.
            (
                Weekly,
                "America/New_York",
                "2026-05-11T03:00:00Z",
                "2026-05-11T04:00:00+00:00",
            ),
        ] {
            assert_eq!(
                due(frequency, zone, None, now),
                want,
                "{frequency:?} {zone} {now}"
            );
        }
    }

    #[test]
    fn periods_across_a_dst_change_end_when_the_local_clock_says() {
        use Frequency::*;
        // Paris springs forward on 2026-03-29 at 02:00 (UTC+1 → UTC+2): 01:30 local is 00:30
        // UTC, its hour ends at the change (01:00 UTC, 03:00 local).
        assert_eq!(
            due(Hourly, "Europe/Paris", None, "2026-03-29T00:30:00Z"),
            "2026-03-29T01:00:00+00:00"
        );
        // The day of the change is 23 hours long: it ends at midnight local, 22:00 UTC.
        assert_eq!(
            due(Daily, "Europe/Paris", None, "2026-03-29T10:00:00Z"),
            "2026-03-29T22:00:00+00:00"
        );
        // Falling back on 2026-10-25 (UTC+2 → UTC+1): a 25-hour day, ending at 23:00 UTC.
        assert_eq!(
            due(Daily, "Europe/Paris", None, "2026-10-25T10:00:00Z"),
            "2026-10-25T23:00:00+00:00"
        );
        // Santiago springs forward at midnight on 2026-09-06: that midnight never happens, the
        // day starts at 01:00 local (04:00 UTC).
        assert_eq!(
            due(Daily, "America/Santiago", None, "2026-09-05T15:00:00Z"),
            "2026-09-06T04:00:00+00:00"
        );
    }

    #[test]
    fn quiet_hours_hold_mail_until_they_end_in_the_users_zone() {
        use Frequency::*;
        let night = Some(("22:00", "07:00"));
        for (frequency, zone, now, want) in [
            // 23:30 in New York (UTC-4): held until 07:00 local the next morning.
            (
                Immediate,
                "America/New_York",
                "2026-05-05T03:30:00Z",
                "2026-05-05T11:00:00+00:00",
            ),
            // 03:00 local, after midnight: until 07:00 the same day.
            (
                Immediate,
                "America/New_York",
                "2026-05-05T07:00:00Z",
                "2026-05-05T11:00:00+00:00",
            ),
            // 21:59 local: before the quiet hours, sent at once.
            (
                Immediate,
                "America/New_York",
                "2026-05-05T01:59:00Z",
                "2026-05-05T01:59:00+00:00",
            ),
            // 07:00 local: the quiet hours are over.
            (
                Immediate,
                "America/New_York",
                "2026-05-05T11:00:00Z",
                "2026-05-05T11:00:00+00:00",
            ),
            // An hourly digest ending at 23:00 local waits for the morning.
            (
                Hourly,
                "America/New_York",
                "2026-05-05T02:10:00Z",
                "2026-05-05T11:00:00+00:00",
            ),
            // A daily digest ends at midnight, inside the quiet hours.
            (
                Daily,
                "Europe/Paris",
                "2026-05-04T12:00:00Z",
                "2026-05-05T05:00:00+00:00",
            ),
        ] {
            assert_eq!(
                due(frequency, zone, night, now),
                want,
                "{frequency:?} {zone} {now}"
            );
        }
        // Quiet hours within a day: 12:00 to 13:30 in Tokyo (UTC+9).
        let lunch = Some(("12:00", "13:30"));
        assert_eq!(
            due(Immediate, "Asia/Tokyo", lunch, "2026-05-05T03:15:00Z"),
            "2026-05-05T04:30:00+00:00"
        );
        assert_eq!(
            due(Immediate, "Asia/Tokyo", lunch, "2026-05-05T04:30:00Z"),
            "2026-05-05T04:30:00+00:00"
        );
    }

    #[test]
    fn quiet_hours_that_end_in_a_dst_gap_end_with_the_gap() {
        // Quiet until 02:30 in Paris on the night the clocks skip from 02:00 to 03:00: mail
        // waits until 03:00 local (01:00 UTC).
        let quiet = Some(("23:00", "02:30"));
        assert_eq!(
            due(
                Frequency::Immediate,
                "Europe/Paris",
                quiet,
                "2026-03-28T23:00:00Z"
            ),
            "2026-03-29T01:00:00+00:00"
        );
    }

    #[test]
    fn digests_due_together_share_a_batch_and_others_do_not() {
        let prefs = preferences(Frequency::Hourly, "UTC", Some(("22:00", "07:00")));
        let n = notification();
        let key = |now: &str| schedule(&n, &prefs, at(now)).map(|s| s.batch_key);
        assert_eq!(key("2026-05-04T23:10:00Z"), key("2026-05-05T03:50:00Z"));
        assert_ne!(key("2026-05-05T08:10:00Z"), key("2026-05-05T09:10:00Z"));
    }
}
