import Foundation

/// The text of one encoding and the containers open in it, outermost first: an element written to a container closes
/// whatever its previous element left open, so a container needs no end call (`Encoder` has none).
final class JSONSink {
    /// The text written so far.
    private(set) var bytes: [UInt8] = []
    private let dateFormat: @Sendable (Date) -> String
    /// The open containers; a container opened by an encoder at level `n` is `open[n]`.
    private var open: [Open] = []
    private var lastToken = 0
    /// The level at which a value is due (a key or a separator written, the value not yet): closing or moving on
    /// before it comes writes `{}`, what `JSONEncoder` writes for a value that encodes nothing.
    private var due: Int? = 0
    /// A misuse found where `Encoder` cannot throw (a container asked for at the wrong place); thrown at the end.
    var failure: EncodingError?

    private struct Open {
        var closer: UInt8
        var count = 0
        var token: Int
    }

    init(dateFormat: @escaping @Sendable (Date) -> String) {
        self.dateFormat = dateFormat
        bytes.reserveCapacity(512)
    }

    // MARK: Containers

    /// Opens an object (`{`) or array (`[`) for an encoder at `level`; its token, or nil (recorded as ``failure``) when
    /// something else was already written there.
    func openContainer(object: Bool, level: Int, path: CodingPathNode?) -> Int? {
        guard open.count == level, due == level else {
            record(path, "a container was asked for where a value was already written")
            return nil
        }
        due = nil
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        lastToken += 1
        open.append(Open(closer: object ? UInt8(ascii: "}") : UInt8(ascii: "]"), token: lastToken))
        return lastToken
    }

    /// Starts the next element of the container `token` at `level`: closes what its previous element left open, writes
    /// the separator and the key, and makes the value due at `level + 1`.
    func beginElement(level: Int, token: Int?, key: String?, path: () -> CodingPathNode?) throws {
        guard let token, open.count > level, open[level].token == token else {
            throw EncodingError.invalidValue(
                key as Any, .init(codingPath: path()?.codingPath ?? [], debugDescription: "a container was written to after its parent moved on"))
        }
        fillDue()
        while open.count > level + 1 { bytes.append(open.removeLast().closer) }
        if open[level].count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[level].count += 1
        if let key {
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
        }
        due = level + 1
    }

    /// The number of elements written to the container `token` at `level`.
    func count(level: Int, token: Int?) -> Int {
        guard let token, open.count > level, open[level].token == token else { return 0 }
        return open[level].count
    }

    /// Starts a single value at `level` (a single-value container's one write).
    func beginSingle(level: Int, path: () -> CodingPathNode?) throws {
        guard open.count == level, due == level else {
            throw EncodingError.invalidValue((), .init(codingPath: path()?.codingPath ?? [], debugDescription: "a single value was written twice"))
        }
        due = nil
    }

    /// Closes every open container (the end of the encoding).
    func closeAll() {
        fillDue()
        while let last = open.popLast() { bytes.append(last.closer) }
    }

    private func fillDue() {
        guard due != nil else { return }
        bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        due = nil
    }

    private func record(_ path: CodingPathNode?, _ description: String) {
        failure = failure ?? .invalidValue((), .init(codingPath: path?.codingPath ?? [], debugDescription: description))
    }

    // MARK: Values

    /// Writes a value at `level` (where a container of an encoder at that level would be): the types `JSONEncoder`
    /// writes itself (dates with the date format, URLs, data as Base64, decimals) and strings and integers directly,
    /// anything else through its own `encode(to:)`.
    /// - Parameter path: where the value is (made only when needed: for an error, or for a value's own encoder).
    func write<T: Encodable>(_ value: T, level: Int, path: @autoclosure () -> CodingPathNode?) throws {
        if T.self == String.self {
            try beginSingle(level: level, path: path)
            writeString(Self.cast(value, to: String.self))
        } else if T.self == Int.self {
            try beginSingle(level: level, path: path)
            writeInteger(Int64(Self.cast(value, to: Int.self)))
        } else if T.self == Bool.self {
            try beginSingle(level: level, path: path)
            writeBool(Self.cast(value, to: Bool.self))
        } else if T.self == UUID.self {
            try beginSingle(level: level, path: path)
            writeString(Self.cast(value, to: UUID.self).uuidString)
        } else if T.self == Date.self {
            try beginSingle(level: level, path: path)
            writeString(dateFormat(Self.cast(value, to: Date.self)))
        } else if T.self == URL.self {
            try beginSingle(level: level, path: path)
            writeString(Self.cast(value, to: URL.self).absoluteString)
        } else if T.self == Data.self {
            try beginSingle(level: level, path: path)
            writeString(Self.cast(value, to: Data.self).base64EncodedString())
        } else if T.self == Decimal.self {
            try beginSingle(level: level, path: path)
            writeRaw(Self.cast(value, to: Decimal.self).description)
        } else {
            let encoder = ValueEncoder(sink: self, level: level, path: path())
            try value.encode(to: encoder)
            if let failure { throw failure }
            if due == level { fillDue() }
        }
    }

    /// `value` as `U`, which is its type (checked by the caller).
    private static func cast<T, U>(_ value: T, to type: U.Type) -> U {
        withUnsafePointer(to: value) { UnsafeRawPointer($0).load(as: U.self) }
    }

    func writeNull() { writeRaw("null") }

    func writeBool(_ value: Bool) { writeRaw(value ? "true" : "false") }

    func writeInteger(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            writeUnsigned(value.magnitude)
        } else {
            writeUnsigned(UInt64(value))
        }
    }

    func writeUnsigned(_ value: UInt64) {
        guard value >= 10 else {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        let start = bytes.endIndex
        var rest = value
        while rest > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        bytes[start...].reverse()
    }

    /// A floating-point number as `JSONEncoder` writes it (integral values without `.0`).
    func writeFloatingPoint(_ value: Double, description: String, path: () -> CodingPathNode?) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path()?.codingPath ?? [], debugDescription: "\(value) is not valid JSON"))
        }
        writeRaw(description.hasSuffix(".0") ? String(description.dropLast(2)) : description)
    }

    func writeRaw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as it is (slashes too).
    func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// A coding path kept as links to the parent, made into an array only when someone asks (an error, a conformance that
/// reads `codingPath`).
final class CodingPathNode {
    let parent: CodingPathNode?
    let key: any CodingKey

    init(parent: CodingPathNode?, key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var keys: [any CodingKey] = []
        var node: CodingPathNode? = self
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}
