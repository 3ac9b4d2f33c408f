/// Text helpers shared by the webhook formats: cutting to a size budget, and making values that come
/// from outside (a user agent, an account name, a receiver's error message) inert in markup.
///
/// A root console logon's user agent is chosen by whoever signed in, so it must not be able to add
/// links, mentions (`<@all>`, `<!channel>`, `<at id=all>`) or headings to an alert, and it must not be
/// able to push a payload over a platform's size limit.
package enum WebhookText {
    /// The mark appended where text was cut.
    package static let ellipsis = "…"

    /// `text` cut to at most `maxBytes` UTF-8 bytes including the ellipsis, on a character boundary.
    package static func truncated(_ text: String, maxBytes: Int) -> String {
        truncated(text, limit: maxBytes, in: .utf8)
    }

    /// `text` cut to at most `maxUnits` UTF-16 code units including the ellipsis (Slack and Teams
    /// count characters; UTF-16 units never undercount them).
    package static func truncated(_ text: String, maxUnits: Int) -> String {
        truncated(text, limit: maxUnits, in: .utf16)
    }

    /// How a platform measures text.
    private enum Unit {
        case utf8, utf16

        func count(_ text: String) -> Int { self == .utf8 ? text.utf8.count : text.utf16.count }
        func count(_ character: Character) -> Int {
            self == .utf8 ? character.utf8.count : character.utf16.count
        }
    }

    /// `text` cut, on a character boundary, so that it and the ellipsis measure at most `limit` units.
    private static func truncated(_ text: String, limit: Int, in unit: Unit) -> String {
        guard unit.count(text) > limit else { return text }
        let budget = max(0, limit - unit.count(ellipsis))
        var used = 0
        var out = ""
        for character in text {
            let size = unit.count(character)
            if used + size > budget { break }
            used += size
            out.append(character)
        }
        return out + ellipsis
    }

    /// One line: line breaks, tabs and other control characters become spaces, so a value cannot
    /// start a new heading, list item or quote.
    package static func oneLine(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
                        ? " " : scalar
                }))
    }

    /// For DingTalk, Lark, WeCom and Teams markdown: one line, with `< > [ ]` and backticks swapped for
    /// their full-width look-alikes, so the value reads the same but cannot open a tag, a mention, a
    /// link or a code span. These platforms document no escape character that all of them honour.
    package static func inertMarkdown(_ text: String) -> String {
        var out = ""
        for character in oneLine(text) {
            switch character {
            case "<": out.append("＜")
            case ">": out.append("＞")
            case "[": out.append("［")
            case "]": out.append("］")
            case "`": out.append("ˋ")
            default: out.append(character)
            }
        }
        return out
    }

    /// For Slack mrkdwn: one line, with `&`, `<` and `>` escaped as Slack requires
    /// (https://api.slack.com/reference/surfaces/formatting#escaping), which also defuses
    /// `<!channel>` and `<url|text>` links.
    package static func slackEscaped(_ text: String) -> String {
        var out = ""
        for character in oneLine(text) {
            switch character {
            case "&": out.append("&amp;")
            case "<": out.append("&lt;")
            case ">": out.append("&gt;")
            default: out.append(character)
            }
        }
        return out
    }

    /// A receiver's answer as it may appear in a reason: one line, at most 200 bytes, with the
    /// webhook URL masked and any credential-looking part of it (long path segments and query values)
    /// and the signing secret replaced by `****`.
    package static func scrubbed(_ text: String, url: String, secret: Secret?) -> String {
        var out = text
        if !url.isEmpty { out = out.replacing(url, with: maskURL(url)) }
        for fragment in credentialFragments(of: url) { out = out.replacing(fragment, with: "****") }
        if let secret, !secret.revealed.isEmpty { out = out.replacing(secret.revealed, with: "****") }
        return truncated(oneLine(out).trimmingBlanks, maxBytes: 200)
    }

    /// Path segments and query values of 12 characters or more: the tokens chat platforms put in
    /// webhook URLs (DingTalk `access_token`, WeCom `key`, Teams `sig`, Lark and Slack path tokens).
    private static func credentialFragments(of url: String) -> [String] {
        let afterScheme = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
        let pathAndQuery = afterScheme.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let parts = pathAndQuery.split(separator: "?", maxSplits: 1).map(String.init)
        var fragments = (parts.first ?? "").split(separator: "/").map(String.init)
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                if let value = item.split(separator: "=", maxSplits: 1).dropFirst().first {
                    fragments.append(String(value))
                }
            }
        }
        return fragments.filter { $0.count >= 12 }.sorted { $0.count > $1.count }
    }
}
