import Foundation
import Hummingbird
import Projections
import SyncDomain
import SyncEngine

/// A customer's page with the partner picker, and choosing a partner from it.
extension WebController {
    /// A customer's page; an unpartnered one gets the partner picker (with `problem` next to it).
    func customerPage(
        _ ref: CustomerRef, request: Request, context: AppRequestContext, problem: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let identity = try context.requireIdentity()
        let detail = try await APIController.detail(of: ref, tenant: identity.tenant, reads: reads)
        guard let row = try await reads.customer(identity.tenant, ref) else { throw APIError.notFound("customer \(ref) is not known") }
        var picker = HTML.empty
        if row.linkID == nil && row.pendingRequest == nil && !row.deleted && !row.excluded {
            let query = request.uri.queryParameters.get("q").map { String($0.prefix(200)) }
            let suggestions = try await PartnerSuggestions.build(for: row, query: query, tenant: identity.tenant, reads: reads)
            picker = Pages.partnerPicker(suggestions, ref: ref, query: query, problem: problem, identity: identity)
        }
        let body = try await gated(
            Pages.customer(detail, row: row, identity: identity, picker: picker, offersStripe: await offersStripe(identity.tenant)),
            tenant: identity.tenant)
        return try render(row.name ?? ref.description, .customers, body, request: request, context: context, status: status)
    }

    /// Pairs the customer with the partner chosen in the picker: back to its page, which shows the partner, or
    /// the page again with the refusal next to the picker.
    func choosePartner(_ ref: CustomerRef, form: FormData, request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let problem: String
        do {
            guard let text = form.trimmed("partner"), let partner = CustomerRef(parsing: text), partner.system.isSource != ref.system.isSource
            else { throw APIError.invalidInput("Choose one of the customers offered.") }
            let (source, economic) = ref.system == .economic ? (partner, ref) : (ref, partner)
            try await commands.selectPartner(source: source, economic: economic, tenant: identity.tenant, metadata: metadata(identity))
            return HTMLResponse.redirect(to: Pages.customerPath(ref) + "#partner")
        } catch let error as CommandError {
            problem = "This partner cannot be chosen: \(await refusal(error, tenant: identity.tenant))"
        } catch let error as APIError where error.status.code < 500 {
            problem = error.message
        }
        return try await customerPage(ref, request: request, context: context, problem: problem, status: .conflict)
    }
}
