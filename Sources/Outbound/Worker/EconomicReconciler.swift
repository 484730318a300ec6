public import Connectors
public import SyncDomain

/// Finds out whether an e-conomic create whose outcome is unknown (a timeout, a dropped response, a worker that
/// died after sending) took effect, before it is sent again: e-conomic has no idempotency keys.
///
/// What identifies the request's customer, strongest first: a number an earlier attempt learned from e-conomic's
/// answer, the number the request chose (`customerNumber` in the payload: numbers are unique, so `GET /customers/{n}`
/// settles it), then the match keys the payload carries (CVR/VAT, e-mail, phone, text fields), looked up by the most
/// selective one with the exact value that was sent (`email$eq:…`). A customer found *matches* when every one of
/// those keys and the name normalise to what was sent; when none matches, a single customer found that appeared after
/// the first send is the request's own, edited since. A name alone is never looked up: it could find anyone.
///
/// Customers that already matched before the request was first sent (``SyncDomain/EconomicCreateProgress/existingAtFirstSend``,
/// recorded by ``existing(for:using:)``) were not made by it and are never adopted. Without that record (requests
/// from before it was kept) nothing found can be told from a stranger, so a person is asked.
public enum EconomicReconciler {
    /// What the lookup found.
    public enum Finding: Sendable, Hashable {
        /// Nothing this request may have made: creating it is safe.
        case none
        /// The lost create took effect; this is the customer it made.
        case one(EconomicCustomer)
        /// Several customers match and none existed before the first send: a person must decide (their numbers,
        /// ascending).
        case several([Int])
        /// Customers were found that may or may not be this request's; a person must look (why, for them).
        case cannotTell(String)
    }

    /// What to do before sending a create, decided from its stream alone.
    public enum Plan: Sendable, Hashable {
        /// Nothing the request sent can have taken effect: send it.
        case send
        /// A send may have taken effect: look the customer up first (``find(_:progress:using:)``).
        case reconcile
        /// It may exist and cannot be looked up safely: a person must look (``OutboundError/cannotReconcile(_:)``).
        case askPerson(OutboundError)
    }

    /// One field the payload carries that identifies the customer, with the value that was sent.
    public struct Identifier: Sendable, Hashable {
        /// The e-conomic field.
        public var field: EconomicField
        /// The value as sent.
        public var value: String
    }

    /// Whether to look before sending: only when a send may have taken effect; a request with nothing to look up by
    /// asks a person then, unless a person already looked and retried it.
    public static func plan(_ request: EconomicWriteRequested, progress: EconomicCreateProgress) -> Plan {
        guard progress.outcomeUnknown, !progress.clearedByPerson else { return .send }
        guard progress.learnedNumber == nil, chosenNumber(of: request) == nil, identifiers(of: request).isEmpty else { return .reconcile }
        let name = request.payload[EconomicField.name.rawValue].map { "'\($0)'" } ?? "(no name)"
        return .askPerson(
            .cannotReconcile(
                "An earlier attempt to create this customer may have reached e-conomic (its answer was lost), and the request "
                    + "carries nothing that identifies the customer safely: no match key and no customer number (a name alone could "
                    + "find someone else). Look in e-conomic for a customer named \(name): if it is this one, link it; if it is "
                    + "not there, retry the request and it will be created."))
    }

    /// The customer number the request chose, if any (a number from the source, or the same number as the source).
    public static func chosenNumber(of request: EconomicWriteRequested) -> Int? {
        request.payload[EconomicField.customerNumber.rawValue].flatMap { Int($0) }
    }

    /// The match keys the request's payload carries, most selective first, with their values as sent. Never the name.
    public static func identifiers(of request: EconomicWriteRequested) -> [Identifier] {
        var result: [Identifier] = []
        for key in request.matchKeys where key.kind != .name {
            for field in fields(for: key) {
                guard let value = request.payload[field.rawValue], !value.isEmpty,
                    MatchKey.keys(for: value, field: field).contains(key),
                    !result.contains(where: { $0.field == field })
                else { continue }
                result.append(Identifier(field: field, value: value))
            }
        }
        let order: [MatchKeyKind] = [.customerNumber, .taxID, .email, .phone, .text]
        return result.sorted { (order.firstIndex(of: $0.field.matchKeyKind) ?? 9) < (order.firstIndex(of: $1.field.matchKeyKind) ?? 9) }
    }

    /// Whether an e-conomic customer matches what the request sent: every identifier and the name.
    public static func matches(_ fields: [String: String], _ request: EconomicWriteRequested) -> Bool {
        var checks = identifiers(of: request)
        if let name = request.payload[EconomicField.name.rawValue] {
            checks.append(Identifier(field: .name, value: name))
        }
        return checks.allSatisfy { check in
            Set(MatchKey.keys(for: fields[check.field.rawValue] ?? "", field: check.field))
                == Set(MatchKey.keys(for: check.value, field: check.field))
        }
    }

    /// The customers that match the request's identity now, to record before its first send: the customer with the
    /// chosen number if it exists, else every customer the most selective match key finds (a superset of those that
    /// match completely, which only excludes more). Empty when the request has nothing to look up by.
    /// - Throws: ``Connectors/EconomicAPIError`` when the lookup fails (then nothing may be sent yet).
    public static func existing(for request: EconomicWriteRequested, using client: EconomicClient) async throws(EconomicAPIError) -> [Int] {
        if let number = chosenNumber(of: request) {
            return try await client.customer(number: number) == nil ? [] : [number]
        }
        guard let first = identifiers(of: request).first else { return [] }
        return try await lookUp(first, using: client).compactMap(\.customerNumber).sorted()
    }

    /// Looks the request's customer up in e-conomic: a learned number, then a chosen number, then the match keys.
    /// - Throws: ``Connectors/EconomicAPIError`` when a lookup fails (then nothing is known yet).
    public static func find(
        _ request: EconomicWriteRequested, progress: EconomicCreateProgress, using client: EconomicClient
    ) async throws(EconomicAPIError) -> Finding {
        let before = progress.existingAtFirstSend
        if let learned = progress.learnedNumber, let customer = try await client.customer(number: learned) {
            return .one(customer)  // e-conomic named it in its answer to this request
        }
        if let number = chosenNumber(of: request) {
            return judge(try await client.customer(number: number).map { [$0] } ?? [], request, existingBefore: before, chosen: number)
        }
        guard let first = identifiers(of: request).first else {
            return .cannotTell(
                "e-conomic named customer \(progress.learnedNumber.map(String.init) ?? "?") in its answer to an earlier attempt, but it no "
                    + "longer exists, and the request carries no match key to look further. Look in e-conomic: link the customer if it is "
                    + "there, or retry the request to create it.")
        }
        return judge(try await lookUp(first, using: client), request, existingBefore: before, chosen: nil)
    }

    /// Decides from the customers a lookup found (pure).
    /// - Parameters:
    ///   - candidates: what the lookup returned.
    ///   - existingBefore: the customers that matched before the first send (`nil`: not recorded).
    ///   - chosen: the request's chosen number, when the lookup was `GET /customers/{chosen}`.
    public static func judge(_ candidates: [EconomicCustomer], _ request: EconomicWriteRequested, existingBefore: [Int]?, chosen: Int?)
        -> Finding
    {
        let matching = candidates.filter { matches($0.fieldMap, request) }
        guard let before = existingBefore else {
            guard !matching.isEmpty else { return .none }
            let numbers = matching.compactMap(\.customerNumber).sorted().map(String.init).joined(separator: ", ")
            return .cannotTell(
                "An earlier attempt to create this customer may have reached e-conomic, and customers \(numbers) match what it sent, "
                    + "but what existed before its first attempt was not recorded (the request is older than that record), so Accord "
                    + "cannot tell whether one of them is its own. Link the right one, or retry the request to create a new customer.")
        }
        if let chosen, let taken = candidates.first, !before.contains(chosen), !matching.contains(taken) {
            return .cannotTell(
                "Customer \(chosen), the number this request chose, appeared in e-conomic after its first attempt but does not match "
                    + "what was sent. Look at it: link it if it is this customer (edited since), or free the number and retry the request.")
        }
        let isFresh = { (customer: EconomicCustomer) in customer.customerNumber.map { !before.contains($0) } ?? false }
        // What was sent, unchanged, first; failing that, a customer that appeared after the first send under the
        // identifier the lookup used is this request's, edited since (an accountant renaming it before the answer
        // was known): sending again would make a second one.
        let fresh = matching.filter(isFresh)
        let edited = fresh.isEmpty ? candidates.filter(isFresh) : []
        switch (fresh.count, edited.count) {
        case (0, 0): return .none
        case (1, _): return .one(fresh[0])
        case (0, 1): return .one(edited[0])
        default: return .several((fresh.isEmpty ? edited : fresh).compactMap(\.customerNumber).sorted())
        }
    }

    private static func lookUp(_ identifier: Identifier, using client: EconomicClient) async throws(EconomicAPIError) -> [EconomicCustomer] {
        if identifier.field == .customerNumber, let number = Int(identifier.value) {
            return try await client.customer(number: number).map { [$0] } ?? []
        }
        return try await client.allCustomers(filter: .equals(identifier.field.rawValue, identifier.value), pageSize: 100)
    }

    static func fields(for key: MatchKey) -> [EconomicField] {
        switch key.kind {
        case .email: return [.email]
        case .phone: return [.telephoneAndFaxNumber, .mobilePhone]
        case .taxID: return [.corporateIdentificationNumber, .vatNumber]
        case .name: return [.name]
        case .customerNumber: return [.customerNumber]
        case .text:
            guard let colon = key.value.firstIndex(of: ":"), let field = EconomicField(rawValue: String(key.value[..<colon])) else { return [] }
            return [field]
        }
    }
}
