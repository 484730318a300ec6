import EventStore
import Foundation
import Projections
import SyncDomain
import Testing

/// The pure timeline: a tenant's events, built by hand, folded into one customer's history.
@Suite("customer timeline (pure)")
struct CustomerTimelineTests {
    static let anna = CustomerRef.stripe("cus_anna")
    static let bo = CustomerRef.stripe("cus_bo")
    static let link = LinkID(UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!)
    static let createdLink = LinkID(UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!)
    static let update = RequestID(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
    static let creation = RequestID(UUID(uuidString: "00000000-0000-0000-0000-000000000002")!)
    static let stranger = RequestID(UUID(uuidString: "00000000-0000-0000-0000-000000000003")!)
    static let writeBack = RequestID.numberWriteBack(after: creation)
    static let reactor = EventMetadata(actor: "system:reactor")
    static let worker = EventMetadata(actor: "system:outbound-worker")
    static let alice = EventMetadata(actor: "user:alice")

    /// A Stripe customer matched by e-mail, a conflict resolved by Alice and the update it asked for answered; a second
    /// customer created in e-conomic with its number written back; a third whose match failed after a rule change; and
    /// events of other customers and requests in between.
    static let log: [TimelineEvent] = {
        var settings = TenantSettings.default
        settings.version = 1
        settings.numbering = .economicAssigns(writeBackMetadataKey: "economic_number")
        var phone = settings
        phone.version = 2
        phone.matchFields.append(MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false))
        let email = MatchKey(kind: .email, normalizedValue: "anna@example.com")
        let events: [(SyncEvent, EventMetadata)] = [
            (.settingsChanged(SettingsChanged(settings: settings)), alice),
            (.customerObserved(CustomerObserved(customer: .economic(42), fields: ["email": "Anna@Example.com", "city": "Vejle"])), worker),
            (
                .customerObserved(
                    CustomerObserved(
                        customer: anna, fields: ["email": "Anna@Example.com", "address.city": "Aarhus"], sourceEventId: "evt_1")),
                EventMetadata(actor: "stripe:webhook", sourceEventID: "evt_1")
            ),
            (.customerObserved(CustomerObserved(customer: bo, fields: ["name": "Bo", "email": "bo@example.com"])), worker),
            (
                .partnerLinked(PartnerLinked(linkId: link, source: anna, economic: .economic(42), origin: .autoMatch(key: email))),
                EventMetadata(actor: "system:reactor", causationPosition: 3)
            ),
            (
                .conflictDetected(ConflictDetected(linkId: link, field: "city", sourceValue: "Aarhus", economicValue: "Vejle")),
                EventMetadata(actor: "system:reactor", causationPosition: 3)
            ),
            (.conflictResolved(ConflictResolved(linkId: link, choices: ["city": .source], resultingValues: ["city": "Aarhus"])), alice),
            (
                .linkWriteRequested(
                    LinkWriteRequested(
                        linkId: link, target: .economic, requestId: update, fields: ["city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text)],
                        sent: FieldPatch(["city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text)]))), alice
            ),
            (
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: update, kind: .update(customerNumber: 42), linkId: link, source: anna,
                        patch: FieldPatch(["city": FieldWrite(value: "Aarhus", base: "Vejle", kind: .text)]), reason: .conflictResolved)), alice
            ),
            (.outboundSucceeded(OutboundSucceeded(requestId: update, written: ["city": "Aarhus"])), worker),
            (.outboundSucceeded(OutboundSucceeded(requestId: stranger, customerNumber: 9)), worker),
            (
                .partnerCreationRequested(
                    PartnerCreationRequested(
                        requestId: creation, from: bo, targetSystem: .economic, numbering: .economicAssigns,
                        payload: ["name": "Bo", "email": "bo@example.com"], matchKeys: [MatchKey(kind: .email, normalizedValue: "bo@example.com")])),
                EventMetadata(actor: "system:reactor", causationPosition: 4)
            ),
            (
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: creation, kind: .create, source: bo, payload: ["name": "Bo", "email": "bo@example.com"], reason: .autoCreate)),
                EventMetadata(actor: "system:reactor", causationPosition: 4)
            ),
            (.economicCreateStarted(EconomicCreateStarted(requestId: creation, existing: [])), worker),
            (
                .outboundRateLimited(
                    OutboundRateLimited(
                        requestId: creation, waits: 1, error: OutboundError(httpStatus: 429, message: "Too many requests"),
                        retryAt: Date(timeIntervalSince1970: 1_800_000_060))), worker
            ),
            (.outboundSucceeded(OutboundSucceeded(requestId: creation, customerNumber: 77)), worker),
            (
                .partnerLinked(PartnerLinked(linkId: createdLink, source: bo, economic: .economic(77), origin: .created(requestId: creation))),
                EventMetadata(actor: "system:reactor", causationPosition: 16)
            ),
            (
                .stripeWriteRequested(
                    StripeWriteRequested(
                        requestId: writeBack, customerId: "cus_bo", kind: .metadata(["economic_number": "77"]), linkId: createdLink,
                        reason: .customerNumberWriteBack)), EventMetadata(actor: "system:reactor", causationPosition: 16)
            ),
            (.outboundSucceeded(OutboundSucceeded(requestId: writeBack, written: ["economic_number": "77"])), worker),
            (.settingsChanged(SettingsChanged(settings: phone, matchFieldsChanged: true)), alice),
            (.customerObserved(CustomerObserved(customer: .stripe("cus_nomail"), fields: ["name": "No Mail"])), worker),
            (.matchFailed(MatchFailed(customer: .stripe("cus_nomail"), reason: .matchFieldMissing(field: "email"))), reactor),
        ]
        return events.enumerated().map { index, pair in
            TimelineEvent(
                position: Int64(index + 1), recordedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), event: pair.0,
                metadata: pair.1)
        }
    }()

    @Test("a Stripe customer matched by e-mail, linked, a conflict resolved by a named user, an update sent and answered")
    func matchedAndResolved() throws {
        let entries = CustomerTimeline.entries(of: Self.anna, in: Self.log.shuffled())
        #expect(entries.map(\.kind) == [.observed, .matched, .conflictDetected, .conflictResolved, .writeOpened, .requested, .succeeded])
        #expect(entries.map(\.position) == [3, 5, 6, 7, 8, 9, 10], "oldest first, nothing of other customers or requests")

        #expect(entries[0].summary.hasPrefix("First seen in stripe (event evt_1)"))
        #expect(
            entries[0].changes == [
                FieldChange(field: "address.city", from: nil, to: "Aarhus"), FieldChange(field: "email", from: nil, to: "Anna@Example.com"),
            ])
        #expect(entries[0].sourceEventId == "evt_1" && entries[0].actor == "stripe:webhook")

        let matched = entries[1]
        #expect(matched.summary.contains("economic:42"))
        #expect(matched.summary.contains("email:anna@example.com"), "the normalised key used")
        #expect(matched.summary.contains("email ↔ email") && matched.summary.contains("settings version 1"), "the rule in force")
        #expect(matched.causationPosition == 3 && matched.actor == "system:reactor" && matched.linkId == Self.link.description)
        #expect(matched.stream == "partners" && matched.type == "PartnerLinked")

        #expect(entries[2].summary.contains("'Aarhus'") && entries[2].summary.contains("'Vejle'"))
        let resolved = entries[3]
        #expect(resolved.actor == "user:alice")
        #expect(resolved.summary.contains("by user:alice") && resolved.summary.contains("city = 'Aarhus' (the source's value)"))

        let request = entries[5]
        #expect(request.requestId == Self.update.description && request.stream == "outbound-\(Self.update)")
        #expect(request.changes == [FieldChange(field: "city", from: "Vejle", to: "Aarhus")], "the patch with its base")
        #expect(request.summary.contains("update e-conomic customer 42") && request.summary.contains("a conflict was resolved"))
        #expect(entries[6].summary.hasPrefix("e-conomic answered: update of customer 42 done") && entries[6].summary.contains("city = 'Aarhus'"))
    }

    @Test("a customer created in e-conomic, waited for a rate limit, linked, its number written back; the created partner's history")
    func createdAndWrittenBack() throws {
        let entries = CustomerTimeline.entries(of: Self.bo, in: Self.log)
        #expect(
            entries.map(\.kind) == [.observed, .creationRequested, .requested, .sending, .rateLimited, .succeeded, .linked, .requested, .writtenBack])
        #expect(entries[1].causationPosition == 4 && entries[1].summary.contains("email:bo@example.com"))
        #expect(entries[2].summary.contains("no e-conomic customer matched under the match rule email ↔ email"))
        #expect(entries[2].changes.contains(FieldChange(field: "name", from: nil, to: "Bo")), "the create's payload")
        #expect(entries[3].summary.contains("no e-conomic customer matched it before the first send"))
        #expect(entries[4].summary.contains("HTTP 429") && entries[4].summary.contains("not a failed attempt"))
        #expect(entries[5].summary == "e-conomic answered: created customer 77")
        #expect(entries[6].summary.contains("economic:77") && entries[6].linkId == Self.createdLink.description)
        #expect(entries[7].summary.contains("number 77 back to Stripe metadata 'economic_number'"))
        #expect(entries[8].summary.contains("77") && entries[8].requestId == Self.writeBack.description)

        let partner = CustomerTimeline.entries(of: .economic(77), in: Self.log)
        #expect(partner.map(\.kind) == [.creationRequested, .requested, .sending, .rateLimited, .succeeded, .linked, .requested, .writtenBack])
        #expect(partner[0].summary.contains("for stripe:cus_bo"))
        #expect(partner[5].summary.contains("stripe:cus_bo"))

        let partnering = Self.log.map(\.event).filter { $0.homeStream == .partners }
        #expect(Set(CustomerTimeline.requests(of: Self.bo, in: partnering)) == [Self.creation, Self.writeBack])
        #expect(Set(CustomerTimeline.requests(of: Self.anna, in: partnering)) == [Self.update])
    }

    @Test("a match failure names the rule in force when it was decided; an unknown customer has no history")
    func ruleInForce() {
        let entries = CustomerTimeline.entries(of: .stripe("cus_nomail"), in: Self.log)
        #expect(entries.map(\.kind) == [.observed, .matchFailed])
        #expect(entries[1].summary.contains("settings version 2") && entries[1].summary.contains("phone ↔ telephoneAndFaxNumber (optional)"))
        #expect(entries[1].summary.contains("'email' is empty"))
        #expect(CustomerTimeline.entries(of: .stripe("cus_nobody"), in: Self.log).isEmpty)
    }

    @Test("exclusion and inclusion, a stop, a failed, a superseded and an abandoned write, a retry and an unlink, with who acted")
    func lifecycle() {
        let economic = CustomerRef.economic(42)
        let first = RequestID(UUID(uuidString: "00000000-0000-0000-0000-000000000011")!)
        let second = RequestID(UUID(uuidString: "00000000-0000-0000-0000-000000000012")!)
        let patch = FieldPatch(["city": FieldWrite(value: "Odense", base: "Vejle", kind: .text)])
        let error = OutboundError(httpStatus: 400, code: "E04300", message: "Validation failed")
        let retryAt = Date(timeIntervalSince1970: 1_800_000_600)
        let events: [(SyncEvent, EventMetadata)] = [
            (.customerExcluded(CustomerExcluded(customer: Self.anna)), Self.alice),
            (.customerIncluded(CustomerIncluded(customer: Self.anna)), Self.alice),
            (.partnerLinked(PartnerLinked(linkId: Self.link, source: Self.anna, economic: economic, origin: .user)), Self.alice),
            (.syncStopped(SyncStopped(linkId: Self.link)), Self.alice),
            (.syncRestarted(SyncRestarted(linkId: Self.link)), Self.alice),
            (
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: first, kind: .update(customerNumber: 42), linkId: Self.link, patch: patch, reason: .sourceChanged)),
                Self.reactor
            ),
            (.outboundFailed(OutboundFailed(requestId: first, attempt: 1, error: error, retryAt: retryAt)), Self.worker),
            (
                .economicWriteRequested(
                    EconomicWriteRequested(
                        requestId: second, kind: .update(customerNumber: 42), linkId: Self.link, patch: patch, supersedes: [first],
                        reason: .sourceChanged)), Self.reactor
            ),
            (.outboundSuperseded(OutboundSuperseded(requestId: first, by: second)), Self.worker),
            (.outboundAbandoned(OutboundAbandoned(requestId: second, attempts: 5, error: error)), Self.worker),
            (.outboundRetryRequested(OutboundRetryRequested(requestId: second)), Self.alice),
            (.partnerUnlinked(PartnerUnlinked(linkId: Self.link, reason: .user)), Self.alice),
            (.partnerUnlinked(PartnerUnlinked(linkId: Self.link, reason: .customerDeleted(customer: economic))), Self.reactor),
        ]
        let log = events.enumerated().map { index, pair in
            TimelineEvent(position: Int64(index + 1), recordedAt: Date(timeIntervalSince1970: 1_800_000_000), event: pair.0, metadata: pair.1)
        }
        let entries = CustomerTimeline.entries(of: Self.anna, in: log)
        #expect(
            entries.map(\.kind) == [
                .excluded, .included, .linked, .syncStopped, .syncRestarted, .requested, .failed, .requested, .superseded, .abandoned,
                .retryRequested,
                .unlinked, .unlinked,
            ])
        #expect(
            entries.map(\.summary) == [
                "Excluded from synchronisation (Don't synchronise) by user:alice",
                "Included in synchronisation again by user:alice",
                "Paired by hand with economic:42 by user:alice",
                "Synchronisation with economic:42 stopped by user:alice",
                "Synchronisation with economic:42 restarted by user:alice",
                "Requested: update e-conomic customer 42: city 'Vejle' → 'Odense' (request \(first); the source changed)",
                "e-conomic refused or did not answer the update of customer 42, attempt 1: HTTP 400 E04300: Validation failed; next try at 2027-01-15 08:10:00 UTC",
                "Requested: update e-conomic customer 42: city 'Vejle' → 'Odense', carrying forward \(first) (request \(second); the source changed)",
                "The update of customer 42 is never sent: request \(second) carries its changes forward",
                "The update of customer 42 was given up after 5 attempts: HTTP 400 E04300: Validation failed; it waits for a person's retry",
                "Retry of the update of customer 42 requested by user:alice",
                "Unlinked from economic:42 by user:alice",
                "Unlinked from economic:42: economic:42 was deleted",
            ])
        #expect(entries.dropFirst(2).allSatisfy { $0.linkId == Self.link.description || $0.requestId != nil })
    }

    @Test("entries encode as the API answers them: kind, sentence, causation and the payload as data")
    func encoding() throws {
        let entries = CustomerTimeline.entries(of: Self.anna, in: Self.log)
        let data = try JSONEncoder().encode(CustomerHistory(customer: Self.anna, entries: entries))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["customer"] as? String == "stripe:cus_anna")
        let first = try #require((object["entries"] as? [[String: Any]])?[1])
        #expect(first["kind"] as? String == "matched" && first["position"] as? Int == 5 && first["causationPosition"] as? Int == 3)
        #expect(((first["data"] as? [String: Any])?["source"] as? [String: Any])?["id"] as? String == "cus_anna")
    }
}
