import Hummingbird
import NIOCore

/// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 description, `Resources/openapi.json` embedded in the binary
/// at build time (so a deployed `accord` needs no resource folder beside it). Served without an API key: the
/// document describes how to authenticate, and holds nothing of any tenant's. `OpenAPITests` fails when a route
/// is registered without being described there (or described without being registered).
struct OpenAPIController: Sendable {
    /// The path, registered on the router itself (outside the `/api/v1` group and its API key middleware).
    static let path = "/api/v1/openapi.json"

    /// The document's bytes, as checked in.
    static var bytes: [UInt8] { PackageResources.openapi_json }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get(RouterPath(Self.path), use: document)
    }

    @Sendable func document(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: Self.bytes)))
    }
}
