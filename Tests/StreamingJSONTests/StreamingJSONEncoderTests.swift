import Foundation
import Testing

@testable import StreamingJSON

/// The streaming encoder writes the same JSON as Foundation's `JSONEncoder` (compared after both are parsed and written
/// again with sorted keys), for every shape a conformance can take.
@Suite struct StreamingJSONEncoderTests {
    static let dateFormat: @Sendable (Date) -> String = { "t\(Int($0.timeIntervalSince1970))" }
    let streaming = StreamingJSONEncoder(dateFormat: Self.dateFormat)

    /// `JSONEncoder` configured as the streaming one (dates with the same format, slashes unescaped).
    func foundation(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.dateFormat(date))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// JSON text parsed and written again with sorted keys: two texts of the same JSON compare equal.
    func canonical(_ text: String) throws -> String {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    func expectSameJSON(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let written = try streaming.encode(value)
        #expect(try canonical(written) == canonical(foundation(value)), "\(written)", sourceLocation: sourceLocation)
    }

    struct Inner: Codable, Hashable {
        var name: String
        var tags: [String]
    }

    enum Shape: Codable, Equatable {
        case circle(radius: Int)
        case named(String, Inner)
        case empty
    }

    struct Everything: Codable, Equatable {
        var text = "plain"
        var escaped = "quote \" backslash \\ slash / newline \n tab \t nul \u{0} bell \u{7} unit \u{1F} é 😀 \u{2028}"
        var bool = true
        var int = Int.min
        var int8: Int8 = -8
        var uint64 = UInt64.max
        var uint8: UInt8 = 0
        var double = 1.0
        var fraction = -0.25
        var large = 1e20
        var float: Float = 2.5
        var missing: String? = nil
        var present: Int? = 7
        var inner = Inner(name: "n", tags: ["a", "", "c"])
        var list = [Inner(name: "x", tags: []), Inner(name: "y", tags: ["z"])]
        var nested: [[Int]] = [[1, 2], [], [3]]
        var fields = ["b": "2", "a": "1", "": "empty key", "k\"ey": "v"]
        var byNumber: [Int: String] = [3: "three", 1: "one"]
        var byPair: [Inner: Int] = [Inner(name: "k", tags: []): 1]
        var date = Date(timeIntervalSince1970: 1_700_000_000)
        var id = UUID(uuidString: "6F1A2C7E-9B42-4D0B-9A51-0C5D3A842F1E")!
        var url = URL(string: "https://example.com/a/b?c=d")!
        var data = Data([0, 1, 2, 250])
        var decimal = Decimal(string: "12.340")!
        var shapes: [Shape] = [.circle(radius: 3), .named("n", Inner(name: "i", tags: ["t"])), .empty]
        var empty = Nothing()
        var optionalNested: Inner? = nil
    }

    struct Nothing: Codable, Equatable {
        func encode(to encoder: any Encoder) throws {}
        init() {}
        init(from decoder: any Decoder) throws {}
    }

    @Test("every kind of value as JSONEncoder writes it")
    func everything() throws {
        try expectSameJSON(Everything())
        try expectSameJSON([Everything(), Everything()])
    }

    @Test("values at the top level: strings, numbers, nil, arrays, a value that writes nothing")
    func topLevel() throws {
        try expectSameJSON("a/b")
        try expectSameJSON(42)
        try expectSameJSON(Optional<Int>.none)
        try expectSameJSON([1, 2, 3])
        try expectSameJSON([String: Int]())
        // JSONEncoder refuses a top-level value that encodes nothing; nested, it writes `{}` (see `everything`).
        #expect(try streaming.encode(Nothing()) == "{}")
    }

    @Test("what it writes decodes back to the same value")
    func decodesBack() throws {
        var value = Everything()
        value.fields["ünïcode"] = "\u{1}\u{1b}"
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return Date(timeIntervalSince1970: TimeInterval(text.dropFirst())!)
        }
        #expect(try decoder.decode(Everything.self, from: Data(streaming.encode(value).utf8)) == value)
    }

    class Base: Encodable {
        var base = 1
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(base, forKey: .base)
        }
        enum CodingKeys: String, CodingKey { case base }
    }

    final class Derived: Base {
        var own = "o"
        var silentSuper = false
        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(own, forKey: .own)
            if silentSuper {
                _ = container.superEncoder(forKey: .parent)
            } else {
                try super.encode(to: container.superEncoder())
            }
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            var object = list.nestedContainer(keyedBy: Keys.self)
            try object.encodeNil(forKey: .own)
            try super.encode(to: list.superEncoder())
        }
        enum Keys: String, CodingKey { case own, list, parent }
    }

    @Test("nested containers and super encoders, used or not")
    func superEncoders() throws {
        try expectSameJSON(Derived())
        let silent = Derived()
        silent.silentSuper = true
        try expectSameJSON(silent)
    }

    struct NotFinite: Encodable {
        var value = Double.nan
    }

    @Test("a number JSON cannot hold is an error, as in JSONEncoder")
    func notFinite() {
        #expect(throws: EncodingError.self) { try streaming.encode(NotFinite()) }
        #expect(throws: EncodingError.self) { try streaming.encode([Double.infinity]) }
    }

    /// Writes to a nested container after its parent has moved on, which one pass cannot place.
    struct OutOfOrder: Encodable {
        enum Keys: String, CodingKey { case first, second, late }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var first = container.nestedContainer(keyedBy: Keys.self, forKey: .first)
            try container.encode(1, forKey: .second)
            try first.encode(2, forKey: .late)
        }
    }

    /// Asks for a keyed container after writing a single value.
    struct TwoShapes: Encodable {
        enum Keys: String, CodingKey { case a }
        func encode(to encoder: any Encoder) throws {
            var single = encoder.singleValueContainer()
            try single.encode(1)
            var keyed = encoder.container(keyedBy: Keys.self)
            try keyed.encode(2, forKey: .a)
        }
    }

    @Test("a container written out of order, or a value written twice, is an error rather than misplaced text")
    func misuse() {
        #expect(throws: EncodingError.self) { try streaming.encode(OutOfOrder()) }
        #expect(throws: EncodingError.self) { try streaming.encode(TwoShapes()) }
    }

    @Test("keys come in the order they are encoded")
    func keyOrder() throws {
        #expect(try streaming.encode(Inner(name: "n", tags: ["a"])) == #"{"name":"n","tags":["a"]}"#)
        #expect(try streaming.encode(["only": 1.5]) == #"{"only":1.5}"#)
    }
}
