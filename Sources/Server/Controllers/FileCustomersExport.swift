import Connectors
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Projections
import SyncDomain

/// The tenant's file customers as a customer file in the import format (``Connectors/CustomerFileWriter``), as
/// Accord knows them now (``SyncDomain/FileCustomerExport``): partners created for e-conomic customers, and values
/// the pairs agreed on since the file was read. Served by `GET /api/v1/exports/file-customers` and
/// `GET /ui/exports/file-customers.csv`; the whole file is built in memory (about 300 bytes a customer).
struct FileCustomersExport: Sendable {
    let reads: any TenantReads
    let commands: any TenantCommands

    /// The file's text.
    func csv(of tenant: TenantID) async throws -> String {
        let settings = try await commands.settings(of: tenant)
        let rows = try await reads.fileCustomers(tenant).map { customer in
            FileCustomerExport.fields(observed: customer.row.fields, number: customer.row.externalID, agreed: customer.agreed, settings: settings)
        }
        return CustomerFileWriter.csv(rows)
    }

    /// The file as a download named after the tenant and the day.
    func response(for tenant: TenantID, now: Date = Date()) async throws -> Response {
        let day = now.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day())
        let headers: HTTPFields = [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"accord-\(tenant.rawValue)-file-customers-\(day).csv\"",
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: try await csv(of: tenant))))
    }
}
