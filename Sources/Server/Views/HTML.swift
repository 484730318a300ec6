import Foundation

/// A fragment of HTML that is safe by construction: literal text in an `HTML` string is markup, and every
/// interpolated `String` is escaped (`& < > " '`). Only another `HTML` value is inserted as markup, so text
/// from customers, events or settings can never become markup by accident.
struct HTML: ExpressibleByStringInterpolation, Sendable, CustomStringConvertible {
    /// The markup.
    private(set) var rendered: String

    /// Markup the caller vouches for (only for constants and values built from `HTML`).
    init(trusted: String) { rendered = trusted }

    init(stringLiteral value: String) { rendered = value }

    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.rendered }

    var description: String { rendered }

    /// Nothing.
    static let empty = HTML(trusted: "")

    /// Joins fragments.
    static func join(_ parts: [HTML], separator: HTML = .empty) -> HTML {
        HTML(trusted: parts.map(\.rendered).joined(separator: separator.rendered))
    }

    /// Text escaped for element content and double- or single-quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var rendered = ""

        init(literalCapacity: Int, interpolationCount: Int) { rendered.reserveCapacity(literalCapacity + interpolationCount * 16) }

        mutating func appendLiteral(_ literal: String) { rendered += literal }

        /// Text: escaped.
        mutating func appendInterpolation(_ text: String) { rendered += HTML.escape(text) }

        /// Optional text: escaped, nothing for nil.
        mutating func appendInterpolation(_ text: String?) { rendered += text.map(HTML.escape) ?? "" }

        /// A number.
        mutating func appendInterpolation(_ number: Int) { rendered += String(number) }

        /// A date, as `2026-11-24 13:08:00 UTC`.
        mutating func appendInterpolation(_ date: Date) { rendered += HTML.escape(HTML.format(date)) }

        /// Markup.
        mutating func appendInterpolation(_ html: HTML) { rendered += html.rendered }

        /// Several fragments of markup, one after the other.
        mutating func appendInterpolation(_ html: [HTML]) { for part in html { rendered += part.rendered } }
    }

    /// A date for people: UTC, to the second.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: TimeZone(identifier: "UTC")!))
            .replacingOccurrences(of: "Z", with: " UTC")
    }
}

/// Builds URLs with every path segment percent-encoded, so ids from outside systems cannot break out of a
/// segment (or the attribute the URL ends up in, which is HTML-escaped on top).
enum WebPaths {
    /// Whether a request path belongs to the web pages (HTML errors) rather than the API (JSON errors).
    static func isWeb(_ path: String) -> Bool {
        path == "/" || path == "/login" || path == "/logout" || path == "/ui" || path.hasPrefix("/ui/")
    }

    /// One path segment, percent-encoded.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query string from pairs (values percent-encoded).
    static func query(_ pairs: [(String, String?)]) -> String {
        let items = pairs.compactMap { key, value in value.map { "\(key)=\(segment($0))" } }
        return items.isEmpty ? "" : "?" + items.joined(separator: "&")
    }
}
