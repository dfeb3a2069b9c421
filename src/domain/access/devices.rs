//! The device a session was started from, as a person names it ("Firefox
//! on Windows"), read from the browser's User-Agent. Only these words are
//! kept: enough to spot a session one does not recognise, nothing that
//! fingerprints the browser.

/// Browsers by a mark their User-Agent carries, the first match winning
/// (Edge and Opera also say "Chrome"; Chrome also says "Safari").
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("EdgiOS", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
];

/// Systems by a mark, the first match winning (an iPhone also says "Mac OS
/// X", Android also says "Linux").
const SYSTEMS: &[(&str, &str)] = &[
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
];

fn named(user_agent: &str, marks: &[(&str, &'static str)]) -> Option<&'static str> {
    marks
        .iter()
        .find(|(mark, _)| user_agent.contains(mark))
        .map(|(_, name)| *name)
}

/// "Firefox on Windows", "Safari on iPhone", "Chrome" (no system named),
/// or None when the User-Agent names neither.
pub fn device(user_agent: &str) -> Option<String> {
    match (named(user_agent, BROWSERS), named(user_agent, SYSTEMS)) {
        (Some(b), Some(s)) => Some(format!("{b} on {s}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        for (agent, want) in [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                "Firefox on Linux",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/120.0.0.0 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            ("curl/8.5.0", "curl"),
        ] {
            assert_eq!(device(agent).as_deref(), Some(want), "{agent}");
        }
        assert_eq!(device("something else"), None);
    }
}
