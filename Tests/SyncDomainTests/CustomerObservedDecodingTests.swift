import Foundation
import Testing

@testable import SyncDomain

/// Observations are read from the parsed JSON object directly (the general decoder was most of a rebuild's time);
/// both ways must give the same payload, and whatever the direct reading does not accept must meet the general
/// decoder's answer.
@Suite struct CustomerObservedDecodingTests {
    /// Random payloads as stored: every system, fields with escapes, quotes, Unicode and empty values, each optional
    /// present or absent.
    static func payloads(count: Int, seed: UInt64) -> [CustomerObserved] {
        var random = SplitMix(seed: seed)
        let alphabet = Array("aZ09 æøå\"\\/\n\t€😀-._@+")
        func text(_ length: Int) -> String { String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }) }
        return (0..<count).map { index in
            let systems: [System] = [.stripe, .file, .economic]
            var fields: [String: String] = [:]
            for _ in 0..<Int(random.next() % 9) { fields[text(1 + Int(random.next() % 12))] = text(Int(random.next() % 30)) }
            let milliseconds = Double(random.next() % 4_000_000_000_000) / 1000
            return CustomerObserved(
                customer: CustomerRef(system: systems[index % 3], id: text(1 + Int(random.next() % 20))), fields: fields,
                sourceEventId: random.next() % 2 == 0 ? "evt_\(text(8))" : nil,
                sourceUpdatedAt: random.next() % 2 == 0 ? Date(timeIntervalSince1970: milliseconds.rounded()) : nil)
        }
    }

    @Test("for random payloads as stored, the direct reading gives what the general decoder gives")
    func sameAsGeneralDecoder() throws {
        for payload in Self.payloads(count: 2_000, seed: 42) {
            let data = try EventJSON.encode(payload)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let direct = try #require(CustomerObserved(jsonObject: object), "\(String(decoding: data, as: UTF8.self))")
            #expect(direct == payload)
            #expect(try EventJSON.decode(CustomerObserved.self, from: data) == payload)
            #expect(try CustomerObserved.decode(schemaVersion: 1, from: data) == payload)
        }
    }

    @Test(
        "what the direct reading does not take is left to the general decoder: the same payload, or its error",
        arguments: [
            #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{},"sourceEventId":null,"sourceUpdatedAt":null}"#,
            #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{},"sourceUpdatedAt":"2027-01-15T08:00:00Z"}"#,
            #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{"n":1}}"#,
            #"{"customer":{"id":"cus_1","system":"shopify"},"fields":{}}"#,
            #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{},"sourceUpdatedAt":"last tuesday"}"#,
            #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{},"sourceEventId":7}"#,
            #"{"customer":{"id":"cus_1","system":"stripe"}}"#,
            #"{"fields":{}}"#,
            "[]",
            "not json",
        ])
    func unusualInput(json: String) {
        let data = Data(json.utf8)
        let general = Result { try EventJSON.decode(CustomerObserved.self, from: data) }
        let decoded = Result { try CustomerObserved.decode(schemaVersion: 1, from: data) }
        switch (general, decoded) {
        case (.success(let expected), .success(let actual)): #expect(actual == expected)
        case (.failure(let expected), .failure(let actual)): #expect(String(describing: actual) == String(describing: expected))
        default: Issue.record("\(json): the general decoder gives \(general), the decoding gives \(decoded)")
        }
    }
}
