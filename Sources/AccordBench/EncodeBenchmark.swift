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
        for (kind, encodeStreaming, encodeFoundation) in [
            ("observations", { try observed.reduce(0) { $0 + (try streaming.encode($1)).utf8.count } },
             { try observed.reduce(0) { $0 + (try foundation.encode($1)).count } }),
            ("links", { try linked.reduce(0) { $0 + (try streaming.encode($1)).utf8.count } },
             { try linked.reduce(0) { $0 + (try foundation.encode($1)).count } }),
        ] as [(String, () throws -> Int, () throws -> Int)] {
            let (streamingBytes, streamingTime) = try best(of: rounds, encodeStreaming)
            let (foundationBytes, foundationTime) = try best(of: rounds, encodeFoundation)
            report("\(kind): StreamingJSONEncoder", rate(payloads, streamingTime), "payloads/s", "\(streamingBytes / payloads) bytes each")
            report("\(kind): JSONEncoder (baseline)", rate(payloads, foundationTime), "payloads/s", "\(foundationBytes / payloads) bytes each")
            report(
                "\(kind): ratio StreamingJSONEncoder / JSONEncoder", String(format: "%.2f", foundationTime.seconds / streamingTime.seconds), "×",
                "payloads per second")
        }
    }

    /// The fastest of `rounds` runs of `body`, with what it returned.
    private func best(of rounds: Int, _ body: () throws -> Int) throws -> (Int, Duration) {
        var fastest: (Int, Duration)?
        for _ in 0..<max(1, rounds) {
            let clock = ContinuousClock()
            let start = clock.now
            let result = try body()
            let time = clock.now - start
            if fastest == nil || time < fastest!.1 { fastest = (result, time) }
        }
        return fastest!
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
