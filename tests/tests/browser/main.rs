//! The web UI end to end, in headless Chromium driven over WebDriver (chromedriver from
//! Debian's packages, one per test), against a real server on isolated stores, plus the pages'
//! HTTP behaviour (redirects, errors in words, headers, sizes) without a browser.

mod a11y;
mod board;
mod dashboards;
mod driver;
mod live;
mod pages;
mod people;
mod task;
mod teams;
