//! Dates as `keytool`, Salesforce's certificate pages and the CLI show them.

use std::time::{SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DD` (UTC), by the calendar of the `der` crate that reads certificate dates.
/// Dates outside X.509's range (1970 to 9999 here) are clamped to its ends.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(sfjwt_core::key::utc_date(UNIX_EPOCH + Duration::from_secs(1_700_000_000)), "2023-11-14");
/// ```
pub fn utc_date(time: SystemTime) -> String {
    let Ok(date) = der::DateTime::from_system_time(time) else {
        let end = if time < UNIX_EPOCH {
            "1970-01-01"
        } else {
            "9999-12-31"
        };
        return end.to_owned();
    };
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc_date(UNIX_EPOCH), "1970-01-01");
        assert_eq!(
            utc_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29"
        );
        assert_eq!(
            utc_date(UNIX_EPOCH + Duration::from_secs(400_000_000_000)),
            "9999-12-31"
        );
    }
}
