//! What kind of device a session comes from, read from its User-Agent (woothee).

/// Device type (Desktop / Mobile / Tablet / API / Unknown), browser and OS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_type: &'static str,
    pub browser: String,
    pub os: String,
}

/// Clients that announce themselves as tools, not browsers.
const API_CLIENTS: &[&str] =
    &["curl/", "wget/", "python-requests", "httpie/", "okhttp/", "go-http-client", "reqwest", "postman"];

pub fn parse(user_agent: &str) -> Device {
    let lower = user_agent.to_ascii_lowercase();
    if user_agent.trim().is_empty() || API_CLIENTS.iter().any(|c| lower.starts_with(c)) {
        let browser = user_agent.split('/').next().filter(|s| !s.is_empty()).unwrap_or("API client");
        return Device { device_type: "API", browser: browser.to_owned(), os: "Unknown".into() };
    }
    let Some(r) = woothee::parser::Parser::new().parse(user_agent) else {
        return Device { device_type: "Unknown", browser: "Unknown".into(), os: "Unknown".into() };
    };
    let tablet =
        lower.contains("ipad") || (lower.contains("android") && !lower.contains("mobile")) || lower.contains("tablet");
    let device_type = match r.category {
        _ if tablet => "Tablet",
        "pc" => "Desktop",
        "smartphone" | "mobilephone" => "Mobile",
        "crawler" => "API",
        _ => "Unknown",
    };
    let known = |s: &str| if s.is_empty() || s == "UNKNOWN" { "Unknown".to_owned() } else { s.to_owned() };
    Device { device_type, browser: known(r.name), os: known(r.os) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desktop_mobile_tablet_and_api_clients_are_told_apart() {
        let chrome = parse(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
        );
        assert_eq!((chrome.device_type, chrome.browser.as_str()), ("Desktop", "Chrome"));
        assert!(chrome.os.starts_with("Windows"), "{chrome:?}");
        let iphone = parse(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
        );
        assert_eq!((iphone.device_type, iphone.os.as_str()), ("Mobile", "iPhone"));
        let ipad = parse(
            "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        );
        assert_eq!(ipad.device_type, "Tablet");
        let curl = parse("curl/8.5.0");
        assert_eq!((curl.device_type, curl.browser.as_str()), ("API", "curl"));
        assert_eq!(parse("").device_type, "API");
        assert_eq!(parse("something odd").device_type, "Unknown");
    }
}
