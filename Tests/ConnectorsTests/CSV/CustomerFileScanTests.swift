import Connectors
import Foundation
import Testing

@Suite("customer file scan (SHA-256 and UTF-8 check before an import)")
struct CustomerFileScanTests {
    /// Writes bytes to a temporary file and scans it in chunks of `chunkSize` bytes.
    func scan(_ bytes: [UInt8], chunkSize: Int) throws -> Result<CustomerFileScan, CustomerFileError> {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("accord-scan-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            return .success(try CustomerFileScan.scan(fileAt: url.path, chunkSize: chunkSize))
        } catch {
            return .failure(error)
        }
    }

    @Test("agrees with the standard library's UTF-8 validation, wherever the chunks split a sequence")
    func agreesWithStandardLibrary() throws {
        let samples: [[UInt8]] = [
            Array("customer_number;navn\n1;Søren Ærø Å\n2;Zoë 😀 漢字\n".utf8),
            [0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8),
            [0x41, 0xC0, 0xAF],  // overlong "/"
            [0x41, 0xE0, 0x80, 0xAF],  // overlong three-byte form
            [0xED, 0xA0, 0x80],  // a surrogate
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0x61, 0xF8, 0x62],  // Latin-1 ø
            [0x61, 0xE2, 0x82],  // cut off at the end
            [0x80],  // a lone continuation byte
            Array("ok".utf8) + [0xF0, 0x9F, 0x98],  // a cut-off emoji
        ]
        var generator = SystemRandomNumberGenerator()
        var random: [[UInt8]] = []
        for _ in 0..<300 {
            let text = String(
                (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                    ["a", "ø", "€", "😀", ";", "\n", "漢"].randomElement(using: &generator)!
                }.joined())
            var bytes = Array(text.utf8)
            if !bytes.isEmpty, Bool.random(using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0x80...0xFF, using: &generator)
            }
            random.append(bytes)
        }
        for bytes in samples + random {
            let valid = String(validating: bytes, as: UTF8.self) != nil
            for chunkSize in [1, 2, 3, 5, 7, 64] {
                switch try scan(bytes, chunkSize: chunkSize) {
                case .success(let result):
                    #expect(valid, "accepted \(bytes) in chunks of \(chunkSize)")
                    #expect(result.byteCount == bytes.count)
                    #expect(result.sha256 == CustomerFileDigest.sha256(of: bytes))
                case .failure(let error):
                    #expect(!valid, "refused \(bytes) in chunks of \(chunkSize): \(error)")
                    #expect(error.code == .invalidUTF8)
                }
            }
        }
    }

    @Test("names the line of the first bad byte, counting line breaks as the parser does")
    func line() throws {
        let bytes = Array("h\r\n1\r2\n\"3\n4\"\n".utf8) + [0x35, 0xE6, 0x0A]
        guard case .failure(let error) = try scan(bytes, chunkSize: 4) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.line == 6)
        #expect(error.message.contains("UTF-8"))
    }

    @Test("an unreadable file")
    func unreadable() throws {
        #expect(throws: CustomerFileError.self) { try CustomerFileScan.scan(fileAt: "/nonexistent/file.csv") }
    }
}
