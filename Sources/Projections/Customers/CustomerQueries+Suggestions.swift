public import EventStore
import Foundation
import PGClient
public import SyncDomain

extension CustomerQueries {
    /// Customers of a side that are free to be partnered (no partner, none being created, neither excluded nor
    /// deleted) and may share one of `keys` with the customer they are suggested for, by system and id, at most
    /// `limit`.
    ///
    /// The SQL is a loose first cut (digits only for phones, letters and digits for tax ids, an e-mail found
    /// anywhere in the field, lower-cased names with runs of spaces collapsed); the caller decides with
    /// ``SyncDomain/PartnerSuggestion/rank(_:system:candidates:limit:)``, which normalises as matching does.
    /// - Throws: ``PGError``, or a decoding error for a row that does not fit ``CustomerRow``.
    public func suggestionCandidates(
        side: System, keys: [PartnerSuggestion.Reason: Set<MatchKey>], tenant: TenantID, limit: Int
    ) async throws -> [CustomerRow] {
        let systems = side == .economic ? [System.economic.rawValue] : [System.stripe.rawValue, System.file.rawValue]
        func values(_ reason: PartnerSuggestion.Reason) -> [String] { (keys[reason] ?? []).map(\.value).sorted() }
        let emails = values(.email).map { "%" + $0 + "%" }
        let phones = values(.phone).map { $0.filter(\.isASCII).filter(\.isNumber) }
        let taxIDs = values(.taxID)
        let names = values(.name)
        guard !(emails.isEmpty && phones.isEmpty && taxIDs.isEmpty && names.isEmpty) else { return [] }
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c) FROM customers c
                WHERE system = ANY(\(systems)::text[]) AND link_id IS NULL AND pending_request IS NULL AND NOT excluded AND NOT deleted
                  AND (lower(coalesce(fields->>'email', '')) LIKE ANY(\(emails)::text[])
                    OR regexp_replace(coalesce(fields->>'phone', ''), '[^0-9]', '', 'g') = ANY(\(phones)::text[])
                    OR regexp_replace(coalesce(fields->>'telephoneAndFaxNumber', ''), '[^0-9]', '', 'g') = ANY(\(phones)::text[])
                    OR regexp_replace(coalesce(fields->>'mobilePhone', ''), '[^0-9]', '', 'g') = ANY(\(phones)::text[])
                    OR upper(regexp_replace(coalesce(fields->>'tax_id', ''), '[^A-Za-z0-9]', '', 'g')) = ANY(\(taxIDs)::text[])
                    OR upper(regexp_replace(coalesce(fields->>'corporateIdentificationNumber', ''), '[^A-Za-z0-9]', '', 'g')) = ANY(\(taxIDs)::text[])
                    OR upper(regexp_replace(coalesce(fields->>'vatNumber', ''), '[^A-Za-z0-9]', '', 'g')) = ANY(\(taxIDs)::text[])
                    OR regexp_replace(lower(btrim(coalesce(name, ''))), '[[:space:]]+', ' ', 'g') = ANY(\(names)::text[]))
                ORDER BY system, external_id LIMIT \(limit)
                """
            ).decode((PGJSON).self)
        }
        return try rows.map { try ProjectionJSON.decode(CustomerRow.self, from: $0) }
    }
}
