/// Names of the event streams (per tenant; the tenant is a separate column, not part of the name).
///
/// - `settings`: `SettingsChanged`.
/// - `partners`: one per tenant, every link, conflict, stop/restart and creation event, so that
///   partnering decisions are serialised per tenant by the stream's expected version.
/// - `customer-<system>-<id>`: observations, deletions, exclusion and match failures of one customer.
///   The id is escaped: characters other than `A–Z a–z 0–9 - _ . ~` become `%XX` (UTF-8).
/// - `outbound-<requestId>`: one outbound request and its attempts.
/// - `import-<importId>`: one file import.
public struct StreamName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The stream name as stored.
    public var rawValue: String

    /// Wraps a stored stream name.
    /// - Parameter rawValue: The name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The tenant's settings stream.
    public static let settings = StreamName(rawValue: "settings")

    /// The tenant's partnering stream.
    public static let partners = StreamName(rawValue: "partners")

    /// A customer's stream.
    /// - Parameter customer: The customer.
    public static func customer(_ customer: CustomerRef) -> StreamName {
        StreamName(rawValue: "customer-\(customer.system.rawValue)-\(escape(customer.id))")
    }

    /// An outbound request's stream.
    /// - Parameter requestId: The request.
    public static func outbound(_ requestId: RequestID) -> StreamName {
        StreamName(rawValue: "\(outboundPrefix)\(requestId.description)")
    }

    /// Whether this is an outbound request's stream.
    public var isOutbound: Bool { rawValue.hasPrefix(Self.outboundPrefix) }

    private static let outboundPrefix = "outbound-"

    /// An import's stream.
    /// - Parameter importId: The import.
    public static func importing(_ importId: ImportID) -> StreamName {
        StreamName(rawValue: "import-\(importId.description)")
    }

    /// The customer a `customer-…` stream belongs to, or `nil` for other streams.
    public var customer: CustomerRef? {
        let parts = rawValue.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "customer", let system = System(rawValue: String(parts[1])),
            let id = Self.unescape(String(parts[2])), !id.isEmpty
        else { return nil }
        return CustomerRef(system: system, id: id)
    }

    /// The name.
    public var description: String { rawValue }

    /// Percent-escapes everything but unreserved ASCII (`A–Z a–z 0–9 - _ . ~`).
    /// - Parameter id: A customer id.
    public static func escape(_ id: String) -> String {
        var result = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// Reverses ``escape(_:)``; `nil` for malformed escapes or invalid UTF-8.
    /// - Parameter escaped: An escaped id.
    public static func unescape(_ escaped: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = escaped.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
