import EventSourcing
import EventStore
import Foundation
import PGClient
import SyncDomain
import Testing

@Suite("the event codec")
struct EventCodecTests {
    let observed = SyncEvent.customerObserved(
        CustomerObserved(customer: .stripe("cus_1"), fields: ["name": "Anna", "email": "anna@example.com"], sourceEventId: "evt_1"))

    func recorded(_ event: NewEvent, stream: StreamID = "customer-stripe-cus_1", position: Int64 = 42) throws -> RecordedEvent {
        RecordedEvent(
            globalPosition: position, transactionID: 7, tenant: try TenantID("acme"), stream: stream, streamVersion: 3, type: event.type,
            schemaVersion: event.schemaVersion, data: event.data, metadata: PGJSON(text: "{}"), recordedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    @Test("an event is stored under its stable type name and schema version, with the metadata given, and reads back as itself")
    func roundTrip() throws {
        let metadata = EventMetadata(actor: "user:1", correlationID: UUID(), causationPosition: 9, sourceEventID: "evt_1")
        let stored = try EventCodec.encode(observed, metadata: metadata)
        #expect(stored.type == "CustomerObserved")
        #expect(stored.schemaVersion == 1)
        #expect(stored.metadata == metadata)
        #expect(stored.data.text == String(decoding: try observed.encode().data, as: UTF8.self))
        #expect(try EventCodec.decode(try recorded(stored)) == observed)
        let domain = try DomainEvent(try recorded(stored))
        #expect(domain.event == observed)
        #expect(domain.position == 42)
        #expect(domain.tenant == "acme")
    }

    @Test("an event this build cannot read is an error naming its stream, version, position and type, with the cause")
    func unreadable() throws {
        let bad = NewEvent(type: "CustomerObserved", data: PGJSON(text: #"{"fields":{}}"#))
        let error = try #require(throws: UnreadableEvent.self) { try EventCodec.decode(try recorded(bad)) }
        #expect(error.stream == "customer-stripe-cus_1")
        #expect(error.streamVersion == 3)
        #expect(error.position == 42)
        #expect(error.type == "CustomerObserved")
        if case .invalidPayload = error.cause {} else { Issue.record("expected an invalid payload, got \(error.cause)") }
        #expect(error.description.contains("event 42") && error.description.contains("customer-stripe-cus_1"))

        let unknown = NewEvent(type: "CustomerMerged", data: PGJSON(text: "{}"))
        #expect(throws: UnreadableEvent.self) { try EventCodec.decode(try recorded(unknown)) }
    }

    @Test("a batch is decoded in order, and the first event that cannot be read stops it (nothing is skipped)")
    func batch() throws {
        let good = try recorded(try EventCodec.encode(observed, metadata: EventMetadata()), position: 1)
        let bad = try recorded(NewEvent(type: "CustomerMerged", data: PGJSON(text: "{}")), position: 2)
        #expect(try DomainEvent.decode([good, good]).map(\.event) == [observed, observed])
        let error = try #require(throws: UnreadableEvent.self) { try DomainEvent.decode([good, bad, good]) }
        #expect(error.position == 2)
    }

    @Test("stored columns decode without a recorded event around them")
    func columns() throws {
        let stored = try EventCodec.encode(observed, metadata: EventMetadata())
        #expect(try EventCodec.decode(type: stored.type, schemaVersion: Int(stored.schemaVersion), data: stored.data) == observed)
        #expect(throws: EventDecodingError.self) { try EventCodec.decode(type: "CustomerObserved", schemaVersion: 99, data: stored.data) }
    }
}
