import Foundation

/// An `application/x-www-form-urlencoded` body, with repeated keys kept in order.
struct FormData: Sendable {
    /// The pairs, in order.
    var pairs: [(String, String)]

    /// Parses a body (`+` is a space; invalid escapes are kept as written).
    init(_ body: String) {
        pairs = body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The first value of a key.
    subscript(_ key: String) -> String? { pairs.first { $0.0 == key }?.1 }

    /// The first value of a key, trimmed; nil when absent or blank.
    func trimmed(_ key: String) -> String? {
        guard let value = self[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of a key.
    func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    /// `prefix[name]=value` pairs as name → value.
    func bracketed(_ prefix: String) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in pairs where key.hasPrefix(prefix + "[") && key.hasSuffix("]") {
            let name = String(key.dropFirst(prefix.count + 1).dropLast())
            if !name.isEmpty && result[name] == nil { result[name] = value }
        }
        return result
    }
}
