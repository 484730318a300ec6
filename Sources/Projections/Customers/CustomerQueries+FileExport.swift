public import EventStore
import Foundation
import PGClient

extension CustomerQueries {
    /// A file customer with what its pair agreed on, for the customer-file export.
    public struct FileCustomer: Sendable, Hashable {
        /// Makes one.
        public init(row: CustomerRow, agreed: [String: String]?) {
            self.row = row
            self.agreed = agreed
        }

        /// The customer as the read model holds it.
        public var row: CustomerRow
        /// Its link's agreed values (e-conomic's vocabulary); nil without a partner or while its synchronisation
        /// is stopped.
        public var agreed: [String: String]?
    }

    /// Every file customer of a tenant that is not deleted, by customer number, with its link's agreed values — in
    /// one statement, so the export is one consistent snapshot.
    /// - Throws: ``PGError``, or a decoding error.
    public func fileCustomers(_ tenant: TenantID) async throws -> [FileCustomer] {
        let rows = try await pool.withTransaction(scope: .tenant(tenant)) { connection in
            try await connection.query(
                """
                SELECT to_jsonb(c), CASE WHEN l.stopped THEN NULL ELSE l.agreed END FROM customers c
                LEFT JOIN partner_links l ON l.link_id = c.link_id
                WHERE c.system = 'file' AND NOT c.deleted ORDER BY c.external_id
                """
            ).decode((PGJSON, PGJSON?).self)
        }
        return try rows.map { customer, agreed in
            FileCustomer(
                row: try ProjectionJSON.decode(CustomerRow.self, from: customer),
                agreed: try agreed.map { try JSONDecoder().decode([String: String].self, from: Data($0.text.utf8)) })
        }
    }
}
