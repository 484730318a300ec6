import Foundation
import Logging
import Runtime
import Synchronization
import Testing

@Suite("JSON logs")
struct JSONLogHandlerTests {
    @Test("each record is one JSON object on its own line, with level, label, message and the metadata flattened")
    func oneObjectPerLine() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "accord.test") { label in JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "hb.request.id"] = "req-1"
        logger.debug("dropped below the level")
        logger.warning("webhook refused", metadata: ["accord.tenant": "acme", "keys": ["a", "b"], "count": "\(3)"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line.hasSuffix("}\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "accord.test")
        #expect(object["message"] as? String == "webhook refused")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["hb.request.id"] as? String == "req-1")
        #expect(metadata["accord.tenant"] as? String == "acme")
        #expect(metadata["keys"] as? [String] == ["a", "b"])
        #expect(metadata["count"] as? String == "3")
    }
}
