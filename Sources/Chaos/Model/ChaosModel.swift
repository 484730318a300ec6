import Connectors
import Foundation
import SyncDomain

/// What the run did, as the run itself recorded it — never Accord's state. The checks compare the two systems
/// against this record.
///
/// Every write to a customer's fields is kept per e-conomic field, in the run's order (``FieldWrite``), in
/// e-conomic's vocabulary: a Stripe write is put through the mapping, an accountant's write is taken as typed.
struct ChaosModel {
    /// One Stripe customer of the run (and, once found, its e-conomic partner).
    struct Customer {
        let index: Int
        /// The reference token in its metadata (`chaos_ref`), mapped to ``ChaosMappings/tokenField``.
        var token: String { "chaos-\(index)" }
        var stripeID: String?
        /// Its fields as the run last set them (source vocabulary).
        var fields: [StripeCustomerField: String] = [:]
        var deleted = false
        /// Writes per e-conomic field (mapped ever), both sides.
        var writes: [EconomicField: [FieldWrite]] = [:]
        /// The accountant's last write per e-conomic number and field-map key (or ``ChaosScript/creditLimitKey``).
        var accountantWrites: [Int: [String: FieldWrite]] = [:]
        /// The e-conomic customer it must be matched to, when an accountant created one for it.
        var match: Match?
        /// Its phone changed (or was cleared) after it was created.
        var phoneChanged = false
    }

    /// An e-conomic customer an accountant created for a Stripe customer created after it.
    struct Match {
        var number: Int
        var byPhone: Bool
        /// When the Stripe customer was created (a phone match is due only if phone matching held from then on).
        var createdAt: Int
    }

    /// An e-conomic customer that belongs to nobody.
    struct Stranger {
        var number: Int
        var fields: [String: String]
    }

    /// One write to one field.
    struct FieldWrite {
        enum Side: String { case stripe, economic }
        var sequence: Int
        var side: Side
        /// The value in e-conomic's vocabulary; empty = cleared.
        var value: String
    }

    let script: ChaosScript
    private(set) var customers: [Int: Customer] = [:]
    private(set) var strangers: [Int: Stranger] = [:]
    private(set) var sequence = 0
    private(set) var rule: ChaosMatchRule
    private(set) var ruleChanges: [(sequence: Int, rule: ChaosMatchRule)] = []
    private(set) var mappings: ChaosMappings
    private(set) var mappingChanges: [(sequence: Int, mappings: ChaosMappings)] = []
    /// e-conomic numbers of customers an accountant created (matches and strangers).
    private(set) var accountantCreated: Set<Int> = []

    init(script: ChaosScript) {
        self.script = script
        rule = script.initialRule
        mappings = script.initialMappings
    }

    /// The source field each e-conomic field a run maps comes from.
    static let sources: [EconomicField: StripeCustomerField] = [
        .name: .name, .email: .email, .telephoneAndFaxNumber: .phone, .address: .addressLine1, .zip: .addressPostalCode,
        .city: .addressCity, .country: .addressCountry,
    ]

    /// Fields Accord never manages in a run: the accountant's writes to them must stay.
    static let unmanaged = ["website", "mobilePhone", "paymentTerms", ChaosScript.creditLimitKey]

    mutating func next() -> Int {
        sequence += 1
        return sequence
    }

    func customer(_ index: Int) -> Customer? { customers[index] }

    // MARK: Stripe

    mutating func created(_ index: Int, stripeID: String, fields: [StripeCustomerField: String]) {
        var customer = customers[index] ?? Customer(index: index)
        customer.stripeID = stripeID
        customer.fields = fields.filter { !$0.value.isEmpty }
        customer.match?.createdAt = sequence
        customers[index] = customer
        recordStripe(index, touched: Set(fields.keys))
        customers[index]?.writes[ChaosMappings.tokenField, default: []].append(FieldWrite(sequence: sequence, side: .stripe, value: customer.token))
    }

    /// A Stripe update: `fields` as sent, of which `changed` differed from what Stripe held (only those are edits).
    mutating func updated(_ index: Int, fields: [StripeCustomerField: String], changed: Set<StripeCustomerField>) {
        for (field, value) in fields { customers[index]?.fields[field] = value.isEmpty ? nil : value }
        if changed.contains(.phone) { customers[index]?.phoneChanged = true }
        recordStripe(index, touched: changed)
    }

    mutating func deleted(_ index: Int) { customers[index]?.deleted = true }

    /// Records the mapped values of the touched source fields as Stripe writes.
    private mutating func recordStripe(_ index: Int, touched: Set<StripeCustomerField>) {
        guard let customer = customers[index] else { return }
        let mapped = Self.mapped(customer.fields)
        for (field, source) in Self.sources where touched.contains(source) {
            customers[index]?.writes[field, default: []].append(FieldWrite(sequence: sequence, side: .stripe, value: mapped[field.rawValue] ?? ""))
        }
    }

    /// Source fields in e-conomic's vocabulary, under every mapping the run knows (the address line joined, the
    /// country named).
    static func mapped(_ fields: [StripeCustomerField: String]) -> [String: String] {
        var source: [String: String] = [:]
        for (field, value) in fields { source[field.rawValue] = value }
        let settings = TenantSettings(matchFields: [], fieldMappings: ChaosMappings.all.fieldMappings)
        return (try? CustomerMapper.mapFields(source, settings: settings).fields) ?? [:]
    }

    // MARK: e-conomic

    mutating func accountantEdited(_ index: Int, number: Int, changes: [String: String]) {
        for (key, value) in changes {
            let write = FieldWrite(sequence: sequence, side: .economic, value: value)
            customers[index]?.accountantWrites[number, default: [:]][key] = write
            if let field = EconomicField(rawValue: key), Self.sources[field] != nil {
                customers[index]?.writes[field, default: []].append(write)
            }
        }
    }

    /// An accountant created `number` to be matched by the Stripe customer `index`, with these fields.
    mutating func matchCreated(_ index: Int, number: Int, fields: [String: String], byPhone: Bool) {
        var customer = customers[index] ?? Customer(index: index)
        customer.match = Match(number: number, byPhone: byPhone, createdAt: sequence)
        customers[index] = customer
        accountantCreated.insert(number)
        accountantEdited(index, number: number, changes: fields)
    }

    mutating func strangerCreated(_ id: Int, number: Int, fields: [String: String]) {
        strangers[id] = Stranger(number: number, fields: fields)
        accountantCreated.insert(number)
    }

    // MARK: Rules

    mutating func ruleChanged(to rule: ChaosMatchRule) {
        self.rule = rule
        ruleChanges.append((sequence, rule))
    }

    mutating func mappingsChanged(to mappings: ChaosMappings) {
        self.mappings = mappings
        mappingChanges.append((sequence, mappings))
    }

    /// Whether phone matching held from `sequence` to the end.
    func phoneMatchingHeld(since sequence: Int) -> Bool {
        var current = script.initialRule
        for change in ruleChanges where change.sequence <= sequence { current = change.rule }
        guard current.matchesPhone else { return false }
        return ruleChanges.allSatisfy { $0.sequence <= sequence || $0.rule.matchesPhone }
    }

    /// When `field` last stopped being mapped (nil: mapped at the end, or never unmapped after the start).
    func lastUnmapped(_ field: EconomicField) -> Int? {
        guard !mappings.mappedFields.contains(field) else { return nil }
        var last = script.initialMappings.mappedFields.contains(field) ? nil : 0
        var previous = script.initialMappings
        for change in mappingChanges {
            if previous.mappedFields.contains(field), !change.mappings.mappedFields.contains(field) { last = change.sequence }
            previous = change.mappings
        }
        return last ?? 0
    }
}
