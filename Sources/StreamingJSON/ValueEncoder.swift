import Foundation

/// The `Encoder` a value is given to write itself at one level of a ``JSONSink``: one container (asked for again, the
/// same one) or one single value.
final class ValueEncoder: Encoder {
    let sink: JSONSink
    let level: Int
    let path: CodingPathNode?
    /// The container this encoder opened, and whether it is an object.
    private var opened: (token: Int?, object: Bool)?

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(sink: JSONSink, level: Int, path: CodingPathNode?) {
        self.sink = sink
        self.level = level
        self.path = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedContainer<Key>(sink: sink, level: level, token: open(object: true), path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(sink: sink, level: level, token: open(object: false), path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(sink: sink, level: level, path: path)
    }

    /// The container of this encoder: the one it opened before, or a new one.
    private func open(object: Bool) -> Int? {
        if let opened {
            if opened.object != object { sink.failure = sink.failure ?? .invalidValue((), .init(codingPath: codingPath, debugDescription: "a value asked for an object and an array")) }
            return opened.token
        }
        let token = sink.openContainer(object: object, level: level, path: path)
        opened = (token, object)
        return token
    }
}

/// Writes an object's members as they come (see ``JSONSink``).
struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    /// The container's place in the sink's open containers.
    let level: Int
    let token: Int?
    let path: CodingPathNode?

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }

    private func begin(_ key: Key) throws {
        try sink.beginElement(level: level, token: token, key: key.stringValue, path: { CodingPathNode(parent: path, key: key) })
    }

    mutating func encodeNil(forKey key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        sink.writeNull()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        sink.writeBool(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        sink.writeString(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        try sink.writeFloatingPoint(value, description: value.description, path: { CodingPathNode(parent: path, key: key) })
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        try sink.writeFloatingPoint(Double(value), description: value.description, path: { CodingPathNode(parent: path, key: key) })
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { try integer(Int64(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(Int64(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(Int64(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(Int64(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try unsigned(UInt64(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try unsigned(value, key) }

    private func integer(_ value: Int64, _ key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        sink.writeInteger(value)
    }

    private func unsigned(_ value: UInt64, _ key: Key) throws {
        try begin(key)
        try sink.beginSingle(level: level + 1, path: { nil })
        sink.writeUnsigned(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try sink.write(value, level: level + 1, path: CodingPathNode(parent: path, key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let path = CodingPathNode(parent: path, key: key)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, level: level + 1, token: nested(key, object: true), path: path))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        UnkeyedContainer(sink: sink, level: level + 1, token: nested(key, object: false), path: CodingPathNode(parent: path, key: key))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(named: SuperKey.super) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        do {
            try sink.beginElement(level: level, token: token, key: key.stringValue, path: { nil })
        } catch {
            sink.failure = sink.failure ?? (error as? EncodingError)
        }
        return ValueEncoder(sink: sink, level: level + 1, path: CodingPathNode(parent: path, key: key))
    }

    private func nested(_ key: Key, object: Bool) -> Int? {
        do {
            try begin(key)
        } catch {
            sink.failure = sink.failure ?? (error as? EncodingError)
            return nil
        }
        return sink.openContainer(object: object, level: level + 1, path: path)
    }
}

/// The key of a `superEncoder()` without one.
private enum SuperKey: String, CodingKey {
    case `super`
}

/// Writes an array's elements as they come (see ``JSONSink``).
///
/// It and ``SingleValueContainer`` spell out the same overloads on purpose: shared through a protocol's extension,
/// links encoded about 40 % slower in `ops/bench/encode.sh` (76,000–83,000 against 123,000–134,000 payloads/s).
struct UnkeyedContainer: UnkeyedEncodingContainer {
    let sink: JSONSink
    let level: Int
    let token: Int?
    let path: CodingPathNode?

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }
    var count: Int { sink.count(level: level, token: token) }

    private func begin() throws {
        try sink.beginElement(level: level, token: token, key: nil, path: { path })
    }

    mutating func encodeNil() throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        sink.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        sink.writeBool(value)
    }

    mutating func encode(_ value: String) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        sink.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        try sink.writeFloatingPoint(value, description: value.description, path: { path })
    }

    mutating func encode(_ value: Float) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        try sink.writeFloatingPoint(Double(value), description: value.description, path: { path })
    }

    mutating func encode(_ value: Int) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try unsigned(value) }

    private func integer(_ value: Int64) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        sink.writeInteger(value)
    }

    private func unsigned(_ value: UInt64) throws {
        try begin()
        try sink.beginSingle(level: level + 1, path: { path })
        sink.writeUnsigned(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try sink.write(value, level: level + 1, path: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, level: level + 1, token: nested(object: true), path: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedContainer(sink: sink, level: level + 1, token: nested(object: false), path: path)
    }

    mutating func superEncoder() -> any Encoder {
        do {
            try begin()
        } catch {
            sink.failure = sink.failure ?? (error as? EncodingError)
        }
        return ValueEncoder(sink: sink, level: level + 1, path: path)
    }

    private func nested(object: Bool) -> Int? {
        do {
            try begin()
        } catch {
            sink.failure = sink.failure ?? (error as? EncodingError)
            return nil
        }
        return sink.openContainer(object: object, level: level + 1, path: path)
    }
}

/// Writes one value in place (see ``JSONSink``).
struct SingleValueContainer: SingleValueEncodingContainer {
    let sink: JSONSink
    let level: Int
    let path: CodingPathNode?

    var codingPath: [any CodingKey] { path?.codingPath ?? [] }

    mutating func encodeNil() throws {
        try sink.beginSingle(level: level, path: { path })
        sink.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        try sink.beginSingle(level: level, path: { path })
        sink.writeBool(value)
    }

    mutating func encode(_ value: String) throws {
        try sink.beginSingle(level: level, path: { path })
        sink.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        try sink.beginSingle(level: level, path: { path })
        try sink.writeFloatingPoint(value, description: value.description, path: { path })
    }

    mutating func encode(_ value: Float) throws {
        try sink.beginSingle(level: level, path: { path })
        try sink.writeFloatingPoint(Double(value), description: value.description, path: { path })
    }

    mutating func encode(_ value: Int) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int8) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int16) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int32) throws { try integer(Int64(value)) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try unsigned(value) }

    private func integer(_ value: Int64) throws {
        try sink.beginSingle(level: level, path: { path })
        sink.writeInteger(value)
    }

    private func unsigned(_ value: UInt64) throws {
        try sink.beginSingle(level: level, path: { path })
        sink.writeUnsigned(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try sink.write(value, level: level, path: path)
    }
}
