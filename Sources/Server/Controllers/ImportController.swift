import EventStore
import Foundation
import HTTPTypes
public import Hummingbird
import SyncDomain

/// Customer file imports: `POST /api/v1/imports` (the file as the body), `GET /api/v1/imports[/{id}]`, and the
/// import page (`/ui/imports`, a multipart form). Uploads stream to a temporary file (``ImportSpool``) and are
/// imported in the background by ``TenantImports`` with `accord import`'s rules; the answer says where to follow.
public struct ImportController: Sendable {
    let dependencies: ControllerDependencies
    let configuration: ServerConfiguration
    let pageSize = 100

    /// Makes the controller.
    public init(dependencies: ControllerDependencies, configuration: ServerConfiguration) {
        self.dependencies = dependencies
        self.configuration = configuration
    }

    /// The API routes (on the authenticated `/api/v1` group).
    public func addAPIRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("imports", use: apiUpload)
        group.get("imports", use: apiList)
        group.get("imports/:import", use: apiStatus)
    }

    /// The pages (on the session-authenticated `/ui` group).
    public func addPageRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("imports", use: page)
        group.get("imports/:import", use: statusPage)
    }

    /// The page's upload (on a group whose ``SessionMiddleware`` leaves the body and its token to the handler).
    public func addUploadRoute(to group: RouterGroup<AppRequestContext>) {
        group.post(use: pageUpload)
    }

    var imports: any TenantImports {
        get throws {
            guard let imports = dependencies.imports else {
                throw APIError(.serviceUnavailable, code: "imports_unavailable", message: "this server does not import files")
            }
            return imports
        }
    }

    // MARK: API

    @Sendable func apiUpload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let queue = try imports
        let limit = configuration.maxImportBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw Self.tooLarge(limit) }
        let spool = try ImportSpool(limit: limit)
        let file: SpooledImport
        do {
            for try await chunk in request.body { try spool.write(chunk) }
            file = try spool.finish(fileName: ImportFileName.clean(request.uri.queryParameters.get("fileName")))
        } catch let error as APIError {
            spool.discard()
            throw error.status == .contentTooLarge ? Self.tooLarge(limit) : error
        } catch {
            spool.discard()
            throw error
        }
        guard file.byteCount > 0 else {
            file.remove()
            throw APIError.invalidInput("the body is empty: send the customer file (CSV) as the request body")
        }
        let id = try await queue.submit(file, tenant: identity.tenant, actor: identity.actor)
        var response = JSONBody.response(
            try await queue.status(id, tenant: identity.tenant, limit: 0, offset: 0)
                ?? ImportStatus(importId: id.description, fileName: file.fileName, state: .queued),
            status: .accepted)
        response.headers[.location] = "/api/v1/imports/\(id.description)"
        return response
    }

    @Sendable func apiStatus(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: configuration.maxPageSize, defaultLimit: configuration.maxPageSize)
        let id = try context.importID()
        guard let status = try await imports.status(id, tenant: identity.tenant, limit: paging.limit, offset: paging.offset) else {
            throw APIError.notFound("import \(id) is not known in this tenant")
        }
        return JSONBody.response(status)
    }

    @Sendable func apiList(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let (rows, total) = try await imports.list(identity.tenant, limit: paging.limit, offset: paging.offset)
        return JSONBody.response(Page(items: rows, total: total, limit: paging.limit, offset: paging.offset))
    }

    // MARK: Pages

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await importsPage(request, context: context, problem: nil, status: .ok)
    }

    func importsPage(_ request: Request, context: AppRequestContext, problem: String?, status: HTTPResponse.Status) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let (rows, total) = try await imports.list(identity.tenant, limit: paging.limit, offset: paging.offset)
        let body = Pages.imports(
            rows, total: total, offset: paging.offset, limit: paging.limit, maxBytes: configuration.maxImportBytes, problem: problem,
            identity: identity)
        let chrome = Layout.Chrome(identity: identity, section: .imports)
        return HTMLResponse.page(
            title: "Import", chrome: chrome, body: body, request: request, secureCookies: configuration.secureCookies, status: status)
    }

    @Sendable func statusPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let id = try context.importID()
        guard let status = try await imports.status(id, tenant: identity.tenant, limit: paging.limit, offset: paging.offset) else {
            throw APIError.notFound("This import is not known.")
        }
        let chrome = Layout.Chrome(identity: identity, section: .imports)
        var response = HTMLResponse.page(
            title: "Import of \(status.fileName)", chrome: chrome, body: Pages.importStatus(status), request: request,
            secureCookies: configuration.secureCookies)
        if status.state == .queued || status.state == .running { response.headers[HTTPField.Name("Refresh")!] = "2" }
        return response
    }

    @Sendable func pageUpload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let queue = try imports
        let upload: MultipartImportUpload
        do {
            upload = try await MultipartImportUpload.read(request, limit: configuration.maxImportBytes, csrf: identity.csrfToken ?? "")
        } catch let error as APIError where error.status == .contentTooLarge {
            return try await importsPage(
                request, context: context,
                problem: "The file is larger than \(Pages.byteSize(configuration.maxImportBytes)). Split it into smaller files and import each.",
                status: .contentTooLarge)
        } catch let error as APIError where error.status == .badRequest {
            return try await importsPage(
                request, context: context, problem: "The upload could not be read; choose the file and try again.", status: .badRequest)
        }
        guard let file = upload.file else {
            return try await importsPage(
                request, context: context, problem: "Choose a customer file that is not empty.", status: .unprocessableContent)
        }
        let id = try await queue.submit(file, tenant: identity.tenant, actor: identity.actor)
        return HTMLResponse.redirect(to: "/ui/imports/\(id.description)")
    }

    static func tooLarge(_ limit: Int) -> APIError {
        APIError(
            .contentTooLarge, code: "payload_too_large", message: "the file is larger than the limit of \(limit) bytes; split it and import each part"
        )
    }
}

extension AppRequestContext {
    /// The import named by `{import}`.
    func importID() throws -> ImportID {
        let text = try pathParameter("import")
        guard let uuid = UUID(uuidString: text) else { throw APIError.notFound("'\(text.prefix(60))' is not an import id") }
        return ImportID(uuid)
    }
}
