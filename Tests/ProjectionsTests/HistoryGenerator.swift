import Foundation
import SyncDomain

/// A small, fast, seedable random number generator (SplitMix64), so a failing history can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates plausible random histories of one tenant: customers observed and changed on both sides (with
/// colliding e-mails and empty fields), deletions, exclusions, links made and broken, stops, conflicts
/// detected and resolved, partner creations requested, completed or cancelled, failures, settings changes. Links and
/// first observations come in both orders: a created partner is linked before or after it is first read, a file
/// copy of an e-conomic customer is linked before the file customer is observed.
struct HistoryGenerator {
    var rng: SplitMix64
    private var sources: [CustomerRef] = []
    private var economics: [CustomerRef] = []
    private var deleted = Set<CustomerRef>()
    private var excluded = Set<CustomerRef>()
    private var links: [LinkID: (source: CustomerRef, economic: CustomerRef)] = [:]
    private var linked = Set<CustomerRef>()
    private var stopped = Set<LinkID>()
    private var conflicts: [LinkID: Set<String>] = [:]
    private var pending: [RequestID: CustomerRef] = [:]
    /// Created partners not read from e-conomic yet.
    private var unread = Set<CustomerRef>()
    private var settingsVersion = 0
    private var nextNumber = 1000

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func history(sourceCustomers: Int, economicCustomers: Int, steps: Int) -> [SyncEvent] {
        var events: [SyncEvent] = []
        for index in 0..<economicCustomers {
            let customer = CustomerRef.economic(nextNumber + index)
            economics.append(customer)
            events.append(.customerObserved(CustomerObserved(customer: customer, fields: economicFields())))
        }
        nextNumber += economicCustomers
        for index in 0..<sourceCustomers {
            let customer = index % 3 == 0 ? CustomerRef.file("F\(index)") : CustomerRef.stripe("cus_\(index)")
            sources.append(customer)
            events.append(.customerObserved(CustomerObserved(customer: customer, fields: sourceFields(), sourceEventId: "evt_\(index)")))
        }
        for _ in 0..<steps { events += step() }
        return events
    }

    private mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int.random(in: 0..<items.count, using: &rng)] }
    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    private mutating func email() -> String? {
        chance(10) ? nil : "person\(Int.random(in: 0..<150, using: &rng))@example.com"
    }

    private mutating func sourceFields() -> [String: String] {
        var fields = ["name": "Customer \(Int.random(in: 0..<400, using: &rng))"]
        fields["email"] = email()
        if chance(60) { fields["phone"] = "+45 \(Int.random(in: 10_000_000..<99_999_999, using: &rng))" }
        if chance(50) { fields["address.line1"] = "Vestergade \(Int.random(in: 1..<99, using: &rng))" }
        if chance(50) { fields["address.country"] = ["DK", "DE", "US", "Danmark", "Sweden"][Int.random(in: 0..<5, using: &rng)] }
        if chance(20) { fields["tax_id"] = "DK\(Int.random(in: 10_000_000..<99_999_999, using: &rng))" }
        if chance(5) { fields["name"] = nil }
        return fields
    }

    private mutating func economicFields() -> [String: String] {
        var fields = [
            "name": "Company \(Int.random(in: 0..<400, using: &rng))", "currency": "DKK", "customerGroup": "1",
            "paymentTerms": "1", "vatZone": "1",
        ]
        fields["email"] = email()
        if chance(50) { fields["telephoneAndFaxNumber"] = "+45 \(Int.random(in: 10_000_000..<99_999_999, using: &rng))" }
        if chance(20) { fields["corporateIdentificationNumber"] = "\(Int.random(in: 10_000_000..<99_999_999, using: &rng))" }
        return fields
    }

    private func free(_ customers: [CustomerRef]) -> [CustomerRef] {
        customers.filter { !deleted.contains($0) && !linked.contains($0) && !pending.values.contains($0) }
    }

    private mutating func step() -> [SyncEvent] {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<25:  // a customer changes
            let isSource = chance(60)
            guard let customer = pick(isSource ? sources : economics), !deleted.contains(customer) else { return [] }
            unread.remove(customer)
            return [
                .customerObserved(
                    CustomerObserved(
                        customer: customer, fields: isSource ? sourceFields() : economicFields(), sourceEventId: "evt_\(rng.next() % 100_000)"))
            ]
        case 25..<28:
            guard let customer = pick(sources + economics), !deleted.contains(customer), !linked.contains(customer) else { return [] }
            deleted.insert(customer)
            return [.customerDeleted(CustomerDeleted(customer: customer))]
        case 28..<32:
            guard let customer = pick(sources + economics), !deleted.contains(customer) else { return [] }
            if excluded.remove(customer) != nil { return [.customerIncluded(CustomerIncluded(customer: customer))] }
            excluded.insert(customer)
            return [.customerExcluded(CustomerExcluded(customer: customer))]
        case 32..<36:
            guard let customer = pick(free(sources)) else { return [] }
            return [.matchFailed(MatchFailed(customer: customer, reason: .matchFieldMissing(field: "email")))]
        case 36..<38:
            guard let customer = pick(free(sources)) else { return [] }
            return [.mappingFailed(MappingFailed(customer: customer, error: MappingError(problems: [.requiredFieldMissing(field: "name")])))]
        case 38..<52:  // link a free pair
            guard let source = pick(free(sources)), let economic = pick(free(economics)) else { return [] }
            let id = LinkID(UUID(uuidString: String(format: "00000000-0000-4000-8000-%012llx", rng.next() >> 16))!)
            links[id] = (source, economic)
            linked.formUnion([source, economic])
            let origin: LinkOrigin = chance(70) ? .autoMatch(key: MatchKey(kind: .email, normalizedValue: "person@example.com")) : .user
            return [
                .partnerLinked(
                    PartnerLinked(linkId: id, source: source, economic: economic, origin: origin, agreed: ["name": "Agreed \(rng.next() % 50)"]))
            ]
        case 52..<55:  // copy an e-conomic customer to a file: linked before the file customer is observed (as "create partners" appends them)
            // Only an observed e-conomic customer is copied (the command side refuses an unknown one), so every link
            // has at least one observed customer when it is made.
            guard let economic = pick(free(economics).filter { !unread.contains($0) }) else { return [] }
            let file = CustomerRef.file("C\(economic.id)")
            guard !sources.contains(file) else { return [] }
            sources.append(file)
            let id = LinkID(UUID(uuidString: String(format: "00000000-0000-4000-b000-%012llx", rng.next() >> 16))!)
            links[id] = (file, economic)
            linked.formUnion([file, economic])
            return [
                .partnerLinked(PartnerLinked(linkId: id, source: file, economic: economic, origin: .copiedToFile, agreed: ["name": "Copied"])),
                .customerObserved(CustomerObserved(customer: file, fields: sourceFields())),
            ]
        case 55..<59:
            guard let id = pick(Array(links.keys)) else { return [] }
            let pair = links.removeValue(forKey: id)!
            linked.subtract([pair.source, pair.economic])
            stopped.remove(id)
            conflicts[id] = nil
            return [.partnerUnlinked(PartnerUnlinked(linkId: id, reason: .user))]
        case 59..<64:
            guard let id = pick(Array(links.keys)) else { return [] }
            if stopped.remove(id) != nil { return [.syncRestarted(SyncRestarted(linkId: id))] }
            stopped.insert(id)
            return [.syncStopped(SyncStopped(linkId: id))]
        case 64..<74:
            guard let id = pick(Array(links.keys)), let field = pick(["name", "email", "telephoneAndFaxNumber", "address"]) else { return [] }
            conflicts[id, default: []].insert(field)
            return [
                .conflictDetected(
                    ConflictDetected(
                        linkId: id, field: field, sourceValue: chance(80) ? "s\(rng.next() % 9)" : nil, economicValue: "e\(rng.next() % 9)",
                        baseValue: chance(50) ? "b" : nil))
            ]
        case 74..<79:
            guard let id = pick(Array(conflicts.keys)), let field = conflicts[id]?.first else { return [] }
            conflicts[id]?.remove(field)
            return [.conflictResolved(ConflictResolved(linkId: id, choices: [field: .source], resultingValues: [field: "chosen \(rng.next() % 9)"]))]
        case 79..<84:
            guard let id = pick(Array(links.keys)) else { return [] }
            let cleared = Array(conflicts[id] ?? [])
            conflicts[id] = nil
            return [
                .linkSynced(
                    LinkSynced(
                        linkId: id, agreed: ["name": "Synced \(rng.next() % 9)"], sourceSeen: ["name": "S"], economicSeen: ["name": "E"],
                        clearedConflicts: cleared))
            ]
        case 84..<90:
            guard let source = pick(free(sources)) else { return [] }
            let id = RequestID(UUID(uuidString: String(format: "00000000-0000-4000-9000-%012llx", rng.next() >> 16))!)
            pending[id] = source
            return [
                .partnerCreationRequested(
                    PartnerCreationRequested(
                        requestId: id, from: source, targetSystem: .economic, numbering: .economicAssigns, payload: ["name": "New"],
                        matchKeys: [MatchKey(kind: .email, normalizedValue: "pending\(rng.next() % 20)@example.com")]))
            ]
        case 90..<96:  // a creation ends: cancelled, or linked before or after the new customer is first read from e-conomic
            guard let id = pick(Array(pending.keys)) else { return [] }
            let source = pending.removeValue(forKey: id)!
            if chance(40) { return [.partnerCreationCancelled(PartnerCreationCancelled(requestId: id, reason: "abandoned"))] }
            let economic = CustomerRef.economic(nextNumber)
            nextNumber += 1
            economics.append(economic)
            let link = LinkID(UUID(uuidString: String(format: "00000000-0000-4000-a000-%012llx", rng.next() >> 16))!)
            links[link] = (source, economic)
            linked.formUnion([source, economic])
            let linking: SyncEvent = .partnerLinked(PartnerLinked(linkId: link, source: source, economic: economic, origin: .created(requestId: id)))
            let reading: SyncEvent = .customerObserved(CustomerObserved(customer: economic, fields: economicFields()))
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<25: return [reading, linking]
            case 25..<60: return [linking, reading]
            default:  // read later, or never
                unread.insert(economic)
                return [linking]
            }
        default:
            settingsVersion += 1
            var settings = TenantSettings.default
            settings.version = settingsVersion
            settings.matchFields =
                chance(50)
                ? [MatchField(source: "email", economic: "email")]
                : [
                    MatchField(source: "phone", economic: "telephoneAndFaxNumber", required: false),
                    MatchField(source: "email", economic: "email", required: false),
                ]
            if chance(50) { settings.fieldMappings.removeAll { $0.economic == "telephoneAndFaxNumber" } }
            return [.settingsChanged(SettingsChanged(settings: settings, matchFieldsChanged: true, mappingsChanged: true))]
        }
    }
}
