import Foundation
import SyncDomain
import Testing

@Suite struct EventCodecTests {
    static let link = LinkID(Fixtures.uuid(1))
    static let request = RequestID(Fixtures.uuid(2))
    static let importId = ImportID(Fixtures.uuid(3))
    static let key = MatchKey(kind: .email, normalizedValue: "jane@example.com")
    static let error = OutboundError(
        httpStatus: 400, code: "E04300", message: "Validation failed. 1 error(s) found.",
        fieldErrors: ["paymentTerms": ["PaymentTerms '4711' not found."]], logId: "86d2a1f150c392bb-CPH")

    /// One sample of every event type.
    static let samples: [SyncEvent] = [
        .customerObserved(
            CustomerObserved(customer: Fixtures.stripeJane, fields: Fixtures.janeFields, sourceEventId: "evt_1", sourceUpdatedAt: Fixtures.date)),
        .customerDeleted(CustomerDeleted(customer: Fixtures.stripeJane, sourceEventId: "evt_2", sourceUpdatedAt: Fixtures.date)),
        .customerExcluded(CustomerExcluded(customer: .file("7"))),
        .customerIncluded(CustomerIncluded(customer: .file("7"))),
        .matchFailed(
            MatchFailed(customer: Fixtures.stripeJane, reason: .ambiguous(key: key, candidates: [.free(.economic(1)), .free(.economic(2))]))),
        .mappingFailed(
            MappingFailed(customer: Fixtures.stripeJane, linkId: link, error: MappingError(problems: [.requiredFieldMissing(field: "name")]))),
        .settingsChanged(
            SettingsChanged(
                settings: Fixtures.settings {
                    $0.version = 2
                    $0.numbering = .fromSource(field: "metadata.no")
                    $0.conflictPolicies = ["name": .sourceWins]
                }, matchFieldsChanged: true, mappingsChanged: false)),
        .partnerLinked(
            PartnerLinked(
                linkId: link, source: Fixtures.stripeJane, economic: Fixtures.economic1042, origin: .autoMatch(key: key), agreed: ["name": "Jane"])),
        .partnerUnlinked(PartnerUnlinked(linkId: link, reason: .customerDeleted(customer: Fixtures.economic1042))),
        .syncStopped(SyncStopped(linkId: link)),
        .syncRestarted(SyncRestarted(linkId: link)),
        .partnerCreationRequested(
            PartnerCreationRequested(
                requestId: request, from: Fixtures.stripeJane, targetSystem: .economic, numbering: .explicit(number: 5001), customerNumber: 5001,
                payload: ["name": "Jane"], matchKeys: [key])),
        .partnerCreationCancelled(PartnerCreationCancelled(requestId: request, reason: "abandoned")),
        .conflictDetected(ConflictDetected(linkId: link, field: "city", sourceValue: "Odense", economicValue: nil, baseValue: "Aarhus")),
        .conflictResolved(
            ConflictResolved(linkId: link, choices: ["city": .source, "name": .economic, "zip": .value("8000")], resultingValues: ["city": "Odense"])),
        .linkSynced(
            LinkSynced(linkId: link, agreed: ["city": "Odense"], sourceSeen: ["city": "Odense"], economicSeen: [:], clearedConflicts: ["city"])),
        .economicWriteRequested(
            EconomicWriteRequested(
                requestId: request, kind: .update(customerNumber: 1042), linkId: link, source: Fixtures.stripeJane, payload: ["name": "Jane"],
                matchKeys: [key], reason: .sourceChanged)),
        .stripeWriteRequested(
            StripeWriteRequested(
                requestId: request, customerId: "cus_jane", kind: .metadata(["economic_number": "1042"]), linkId: link,
                reason: .customerNumberWriteBack)),
        .outboundSucceeded(OutboundSucceeded(requestId: request, customerNumber: 1042, written: ["name": "Jane"])),
        .outboundFailed(OutboundFailed(requestId: request, attempt: 2, error: error, retryAt: Fixtures.date.addingTimeInterval(0.25))),
        .outboundAbandoned(OutboundAbandoned(requestId: request, attempts: 8, error: OutboundError(message: "timeout"))),
        .outboundRetryRequested(OutboundRetryRequested(requestId: request)),
        .importReceived(ImportReceived(importId: importId, fileName: "customers.csv", sha256: "ab12")),
        .importRowRejected(ImportRowRejected(importId: importId, row: 3, column: "email", reason: "not an e-mail address")),
        .importCompleted(ImportCompleted(importId: importId, added: 10, updated: 2, unchanged: 5, rejected: 1)),
        .outboundRateLimited(
            OutboundRateLimited(
                requestId: request, waits: 3, failedAttempts: 1,
                error: OutboundError(httpStatus: 429, message: "Too many requests", afterSending: true), retryAt: Fixtures.date)),
        .economicCreateStarted(EconomicCreateStarted(requestId: request, existing: [1042, 7])),
        .outboundSuperseded(OutboundSuperseded(requestId: request, by: RequestID(Fixtures.uuid(4)))),
        .linkWriteRequested(
            LinkWriteRequested(
                linkId: link, target: .source, requestId: request, fields: ["city": FieldWrite(value: "Odense", base: "Aarhus", kind: .text)],
                sent: FieldPatch(["address.city": FieldWrite(value: "Odense", base: "Aarhus", kind: .text)]),
                supersedes: [RequestID(Fixtures.uuid(4))])),
        .linkWriteSettled(LinkWriteSettled(linkId: link, target: .economic, requestId: request, holds: ["city": "Vejle"], targetMoved: ["city"])),
        .economicWriteRequested(
            EconomicWriteRequested(
                requestId: request, kind: .update(customerNumber: 1042), linkId: link,
                patch: FieldPatch([
                    "name": FieldWrite(value: "Jane", base: "Jane Doe", superseded: ["J."], kind: .text),
                    "telephoneAndFaxNumber": FieldWrite(value: "", base: "+45 1", kind: .phone),
                ]), supersedes: [RequestID(Fixtures.uuid(4))], reason: .sourceChanged)),
        .stripeWriteRequested(
            StripeWriteRequested(
                requestId: request, customerId: "cus_jane", kind: .patch(FieldPatch(["name": FieldWrite(value: "Jane", base: nil, kind: .text)])),
                linkId: link, reason: .economicChanged)),
        .outboundSucceeded(OutboundSucceeded(requestId: request, customerNumber: 1042, written: ["zip": "8000"], targetMoved: ["name": "Jane D."])),
    ]

    @Test func everyEventTypeHasASample() {
        #expect(Set(Self.samples.map(\.typeName)) == Set(SyncEvent.payloadTypes.map { $0.typeName }))
        #expect(Self.samples.count == SyncEvent.payloadTypes.count + 3, "the write events of schema 2 have a second sample each")
    }

    @Test func typeNamesAreStableStrings() {
        #expect(
            SyncEvent.payloadTypes.map { $0.typeName } == [
                "CustomerObserved", "CustomerDeleted", "CustomerExcluded", "CustomerIncluded", "MatchFailed", "MappingFailed", "SettingsChanged",
                "PartnerLinked", "PartnerUnlinked", "SyncStopped", "SyncRestarted", "PartnerCreationRequested", "PartnerCreationCancelled",
                "ConflictDetected", "ConflictResolved", "LinkSynced", "EconomicWriteRequested", "StripeWriteRequested", "OutboundSucceeded",
                "OutboundFailed", "OutboundAbandoned", "OutboundRetryRequested", "ImportReceived", "ImportRowRejected", "ImportCompleted",
                "OutboundRateLimited", "EconomicCreateStarted", "OutboundSuperseded", "LinkWriteRequested", "LinkWriteSettled",
            ])
        #expect(
            SyncEvent.payloadTypes.filter { $0.schemaVersion != 1 }.map { "\($0.typeName)@\($0.schemaVersion)" } == [
                "EconomicWriteRequested@2", "StripeWriteRequested@2", "OutboundSucceeded@2",
            ])
    }

    @Test(arguments: samples)
    func roundTrips(event: SyncEvent) throws {
        let encoded = try event.encode()
        #expect(encoded.type == event.typeName)
        #expect(encoded.schemaVersion == type(of: event.payload).schemaVersion)
        let decoded = try SyncEvent.decode(type: encoded.type, schemaVersion: encoded.schemaVersion, data: encoded.data)
        #expect(decoded == event)
    }

    /// The payload's JSON — names, nesting, the date's text — is stable; its key order is not part of it (payloads are
    /// stored as `jsonb`, which keeps none), so it is compared with sorted keys.
    @Test func payloadJSONIsStable() throws {
        let observed = SyncEvent.customerObserved(CustomerObserved(customer: .stripe("cus_1"), fields: ["name": "A"], sourceUpdatedAt: Fixtures.date))
        let parsed = try JSONSerialization.jsonObject(with: try observed.encode().data)
        let json = String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        #expect(json == #"{"customer":{"id":"cus_1","system":"stripe"},"fields":{"name":"A"},"sourceUpdatedAt":"2027-01-15T08:00:00.000Z"}"#)

        let linked = SyncEvent.partnerLinked(PartnerLinked(linkId: Self.link, source: .file("9"), economic: .economic(9), origin: .user))
        let linkedJSON = String(decoding: try linked.encode().data, as: UTF8.self)
        #expect(linkedJSON.contains(#""linkId":"00000000-0000-0000-0000-000000000001""#))
    }

    @Test func datesWithoutFractionalSecondsAreAccepted() throws {
        let data = Data(#"{"customer":{"id":"cus_1","system":"stripe"},"fields":{},"sourceUpdatedAt":"2027-01-15T08:00:00Z"}"#.utf8)
        let event = try SyncEvent.decode(type: "CustomerObserved", schemaVersion: 1, data: data)
        #expect(event == .customerObserved(CustomerObserved(customer: .stripe("cus_1"), fields: [:], sourceUpdatedAt: Fixtures.date)))
    }

    @Test func unknownTypeIsAnError() {
        #expect(throws: EventDecodingError.unknownType("CustomerMerged")) {
            try SyncEvent.decode(type: "CustomerMerged", schemaVersion: 1, data: Data("{}".utf8))
        }
    }

    @Test(arguments: [0, 2, -1])
    func unsupportedSchemaVersionIsAnError(version: Int) {
        #expect(throws: EventDecodingError.unsupportedSchemaVersion(type: "SyncStopped", version: version, newestSupported: 1)) {
            try SyncEvent.decode(type: "SyncStopped", schemaVersion: version, data: Data(#"{"linkId":"00000000-0000-0000-0000-000000000001"}"#.utf8))
        }
    }

    @Test(arguments: [
        (#"{}"#, "missing key 'linkId'."),
        (#"{"linkId":"not-a-uuid"}"#, "linkId"),
        (#"{"linkId":42}"#, "linkId"),
        ("not json", "not valid JSON"),
    ])
    func invalidPayloadIsAnError(json: String, mentions: String) throws {
        do {
            _ = try SyncEvent.decode(type: "SyncStopped", schemaVersion: 1, data: Data(json.utf8))
            Issue.record("decoding \(json) should fail")
        } catch {
            guard case .invalidPayload(let type, let version, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(type == "SyncStopped" && version == 1)
            #expect(reason.contains(mentions))
            #expect(error.description.contains("SyncStopped"))
        }
    }

    @Test func invalidNestedValueIsReported() {
        let json = #"{"customer":{"id":"x","system":"shopify"}}"#
        #expect(throws: EventDecodingError.self) { try SyncEvent.decode(type: "CustomerExcluded", schemaVersion: 1, data: Data(json.utf8)) }
    }

    @Test func homeStreams() {
        #expect(Self.samples[0].homeStream == .customer(Fixtures.stripeJane))
        #expect(Self.samples[6].homeStream == .settings)
        #expect(Self.samples[7].homeStream == .partners)
        #expect(Self.samples[16].homeStream == .outbound(Self.request))
        #expect(Self.samples[22].homeStream == .importing(Self.importId))
        let partnerTypes: Set<String> = [
            "PartnerLinked", "PartnerUnlinked", "SyncStopped", "SyncRestarted", "PartnerCreationRequested", "PartnerCreationCancelled",
            "ConflictDetected", "ConflictResolved", "LinkSynced", "LinkWriteRequested", "LinkWriteSettled",
        ]
        for event in Self.samples {
            #expect((event.homeStream == .partners) == partnerTypes.contains(event.typeName), "\(event.typeName)")
        }
    }
}
