import EventStore
import Foundation
import Projections
public import SyncDomain

/// The partner picker of an unpartnered customer: customers of the other side ranked by what they share with it
/// (``SyncDomain/PartnerSuggestion``: tax id, e-mail, phone, name, normalised as matching normalises them), and
/// a search of the other side by name, e-mail or id. Only customers free to be partnered are offered.
public struct PartnerSuggestions: Codable, Sendable, Hashable {
    /// A customer offered as partner.
    public struct Candidate: Codable, Sendable, Hashable {
        /// The customer, e.g. `economic:42`.
        public var ref: String
        /// Its name.
        public var name: String?
        /// Its e-mail.
        public var email: String?
        /// What it shares with the customer (`taxID`, `email`, `phone`, `name`), strongest first.
        public var reasons: [PartnerSuggestion.Reason]
        /// The same, for people ("same CVR/VAT number, same e-mail").
        public var why: String
        /// The rank (higher first).
        public var score: Int
    }

    /// The customer partners are suggested for.
    public var customer: String
    /// Ranked suggestions.
    public var suggestions: [Candidate]
    /// The search's results (absent without a search), by name.
    public var results: [Candidate]?

    /// Suggestions shown at most.
    static let limit = 10
    /// Candidates read for ranking at most.
    static let candidateLimit = 200
    /// Search results shown at most.
    static let searchLimit = 20

    /// Builds the picker for a customer.
    /// - Parameter query: the search of the other side (nil or blank: none).
    static func build(for row: CustomerRow, query: String?, tenant: TenantID, reads: any TenantReads) async throws -> PartnerSuggestions {
        let ref = row.customer
        let otherSide: System = ref.system == .economic ? .stripe : .economic
        let keys = PartnerSuggestion.keys(of: row.fields, system: ref.system)
        let candidates = try await reads.suggestionCandidates(tenant, side: otherSide, keys: keys, limit: candidateLimit)
        let byRef = Dictionary(candidates.map { ($0.customer, $0) }, uniquingKeysWith: { first, _ in first })
        let ranked = PartnerSuggestion.rank(
            row.fields, system: ref.system, candidates: candidates.map { ($0.customer, $0.fields) }, limit: limit)
        let suggestions = ranked.compactMap { suggestion in byRef[suggestion.customer].map { candidate($0, reasons: suggestion.reasons) } }

        var results: [Candidate]?
        if let query = query?.trimmingCharacters(in: .whitespaces), !query.isEmpty {
            let filter = CustomerFilter(side: otherSide == .economic ? "economic" : "source", search: String(query.prefix(200)), limit: searchLimit)
            let found = try await reads.customers(tenant, filter: filter).rows.filter {
                $0.linkID == nil && $0.pendingRequest == nil && !$0.excluded && !$0.deleted
            }
            results = found.map { other in
                let shared = PartnerSuggestion.rank(row.fields, system: ref.system, candidates: [(other.customer, other.fields)], limit: 1)
                return candidate(other, reasons: shared.first?.reasons ?? [])
            }
        }
        return PartnerSuggestions(customer: ref.description, suggestions: suggestions, results: results)
    }

    private static func candidate(_ row: CustomerRow, reasons: [PartnerSuggestion.Reason]) -> Candidate {
        Candidate(
            ref: row.customer.description, name: row.name, email: row.email, reasons: reasons,
            why: reasons.map(label).joined(separator: ", "), score: reasons.reduce(0) { $0 + $1.weight })
    }

    /// A reason for people.
    static func label(_ reason: PartnerSuggestion.Reason) -> String {
        switch reason {
        case .taxID: "same CVR/VAT number"
        case .email: "same e-mail"
        case .phone: "same phone number"
        case .name: "same name"
        }
    }
}
