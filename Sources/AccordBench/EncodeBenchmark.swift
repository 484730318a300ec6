import ArgumentParser
import Foundation
import StreamingJSON
import SyncDomain

/// `accord-bench encode`: the event payloads Accord writes most — observations and links — encoded to JSON text by
/// `StreamingJSONEncoder` (what Accord uses) and, as the baseline in the same run, by Foundation's `JSONEncoder` with
/// the same date format; prints payloads/s for each and their ratio. No database.
struct EncodeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode", abstract: "Event payloads encoded by StreamingJSONEncoder vs JSONEncoder, as a ratio.")

    @Option(help: "Payloads of each kind to encode.")
    var payloads = 100_000

    @Option(help: "Times each encoder goes over them (the best round counts).")
    var rounds = 3

    func run() async throws {
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        let observed = (0..<payloads).map { Self.observation($0) }
        let linked = (0..<payloads).map { Self.link($0) }
        let streaming = StreamingJSONEncoder(dateFormat: { $0.formatted(format) })
        let foundation = JSONEncoder()
        foundation.outputFormatting = [.withoutEscapingSlashes]
        foundation.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(format))
        }
        print("\(payloads) observations (10 fields, an event id, a date) and \(payloads) links (5 agreed fields); best of \(rounds) rounds")
        try await compare("observations", observed, streaming, foundation)
        try await compare("links", linked, streaming, foundation)
    }

    /// Encodes `values` with each encoder, best of ``rounds``, and reports both rates and their ratio (the byte counts
    /// show that both wrote the same text, up to key order).
    private func compare(
        _ kind: String, _ values: [some Encodable], _ streaming: StreamingJSONEncoder, _ foundation: JSONEncoder
    ) async throws {
        let (streamingBytes, streamingTime) = try await best { try values.reduce(0) { $0 + (try streaming.encode($1)).utf8.count } }
        let (foundationBytes, foundationTime) = try await best { try values.reduce(0) { $0 + (try foundation.encode($1)).count } }
        report("\(kind): StreamingJSONEncoder", rate(values.count, streamingTime), "payloads/s", "\(streamingBytes / values.count) bytes each")
        report("\(kind): JSONEncoder (baseline)", rate(values.count, foundationTime), "payloads/s", "\(foundationBytes / values.count) bytes each")
        report(
            "\(kind): ratio StreamingJSONEncoder / JSONEncoder", String(format: "%.2f", foundationTime.seconds / streamingTime.seconds), "×",
            "payloads per second")
    }

    /// The fastest of ``rounds`` runs of `body` (timed with ``measure(_:)``), with what it returned.
    private func best(_ body: () throws -> Int) async throws -> (Int, Duration) {
        var fastest = try await measure(body)
        for _ in 1..<max(1, rounds) {
            let run = try await measure(body)
            if run.1 < fastest.1 { fastest = run }
        }
        return fastest
    }

    private static func observation(_ number: Int) -> CustomerObserved {
        CustomerObserved(
            customer: .stripe("cus_\(String(number, radix: 36))Xb7Qz"),
            fields: [
                "name": "Kunde \(number) A/S", "email": "kunde\(number)@example.dk", "phone": "+45 \(10_000_000 + number)",
                "address.line1": "Vejen \(number % 200) st. tv.", "address.postal_code": "\(1000 + number % 8999)",
                "address.city": "København Ø", "address.country": "DK", "currency": "DKK", "metadata.cvr": "\(30_000_000 + number)",
                "description": "Says \"hi\"\nsecond line",
            ],
            sourceEventId: "evt_\(String(number, radix: 36))Kq2", sourceUpdatedAt: Date(timeIntervalSince1970: 1_765_000_000 + Double(number)))
    }

    private static func link(_ number: Int) -> PartnerLinked {
        let cause = UUID()
        return PartnerLinked(
            linkId: .derived(from: cause, purpose: "auto-match:\(number)"), source: .stripe("cus_\(String(number, radix: 36))Xb7Qz"),
            economic: .economic(number + 1), origin: .autoMatch(key: MatchKey(kind: .email, normalizedValue: "kunde\(number)@example.dk")),
            agreed: ["name": "Kunde \(number) A/S", "email": "kunde\(number)@example.dk", "phone": "+45 \(10_000_000 + number)",
                     "address.city": "København Ø", "address.country": "DK"])
    }
}
