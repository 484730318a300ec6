/// An `application/x-www-form-urlencoded` body or query string the way Stripe reads it: nested keys in
/// brackets (`metadata[erp_id]=42`, `address[line1]=…`), every byte outside `A–Z a–z 0–9 - . _ ~` percent-encoded.
struct StripeForm: Sendable {
    private(set) var pairs: [(key: String, value: String)] = []

    mutating func append(_ key: String, _ value: String) {
        pairs.append((key, value))
    }

    var isEmpty: Bool { pairs.isEmpty }

    /// `key=value&key=value`, percent-encoded.
    var encoded: String {
        pairs.map { Self.percentEncode($0.key) + "=" + Self.percentEncode($0.value) }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
