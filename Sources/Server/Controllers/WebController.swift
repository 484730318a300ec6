import Credentials
import EventStore
import Foundation
public import Hummingbird
import Projections
import SyncDomain
import SyncEngine

/// The web pages (server-rendered HTML, no JavaScript): login with an API key, then CleanManager's sections —
/// overview, conflicts, unpartnered, synchronised, match failures, customers with their history, outbound
/// failures and settings. Every action is a form post that redirects back, leaving a notice or an error for that
/// page (``FlashMessage``).
public struct WebController: Sendable {
    let dependencies: ControllerDependencies
    let configuration: ServerConfiguration
    var reads: any TenantReads { dependencies.reads }
    var commands: any TenantCommands { dependencies.commands }
    let pageSize = 100

    /// Makes the controller.
    public init(dependencies: ControllerDependencies, configuration: ServerConfiguration) {
        self.dependencies = dependencies
        self.configuration = configuration
    }

    /// `/` (login and logout are ``LoginController``'s).
    public func addPublicRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, _ in HTMLResponse.redirect(to: "/ui") }
    }

    /// The pages under `/ui` (behind ``SessionMiddleware``).
    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: overview)
        group.get("conflicts", use: conflicts)
        group.post("conflicts/:link/resolve", use: resolve)
        group.get("unpartnered", use: unpartnered)
        group.post("unpartnered/:side/create-partners", use: createPartners)
        group.get("synchronised", use: synchronised)
        group.post("links/:link/:action", use: linkAction)
        group.get("match-failures", use: matchFailures)
        group.get("customers", use: customers)
        group.get("customers/:system/:id", use: customer)
        group.post("customers/:system/:id/:action", use: customerAction)
        group.get("outbound", use: outbound)
        group.get("exports/file-customers.csv") { _, context in
            try await FileCustomersExport(reads: reads, commands: commands).response(for: try context.requireIdentity().tenant)
        }
        group.post("outbound/:request/retry", use: retryOutbound)
        group.get("settings", use: settingsPage)
        group.post("settings", use: saveSettings)
        group.post("settings/preview", use: previewSettings)
        group.post("settings/application/:action", use: settingsApplicationAction)
        addUserRoutes(to: group)
        // Any other address under /ui: a 404 page that keeps the navigation (the session is known here).
        group.get("**") { _, _ -> Response in throw APIError.notFound("there is no such page") }
    }

    // MARK: Pages

    func render(
        _ title: String, _ section: Layout.Section?, _ body: HTML, request: Request, context: AppRequestContext, status: HTTPResponse.Status = .ok
    )
        throws -> Response
    {
        let chrome = Layout.Chrome(identity: try context.requireIdentity(), section: section)
        return HTMLResponse.page(title: title, chrome: chrome, body: body, request: request, secureCookies: configuration.secureCookies, status: status)
    }

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let webhookURL = "\(configuration.baseURL)/webhooks/stripe/\(tenant.rawValue)"
        let body = try await gated(
            Pages.overview(try await reads.overview(tenant), webhookURL: webhookURL, inbox: try await reads.inbox(tenant, limit: 50)), tenant: tenant)
        return try render("Overview", .overview, body, request: request, context: context)
    }

    @Sendable func conflicts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let (groups, total) = try await APIController.conflictGroups(
            tenant: identity.tenant, search: search, reads: reads, limit: paging.limit, offset: paging.offset)
        let refs = groups.flatMap { [$0.source, $0.economic].compactMap { $0.flatMap(CustomerRef.init(parsing:)) } }
        let names = try await names(of: refs, tenant: identity.tenant)
        let body = try await syncScreen(
            Pages.conflicts(groups, search: search, total: total, offset: paging.offset, limit: paging.limit, names: names, identity: identity),
            .conflicts,
            tenant: identity.tenant)
        return try render("Conflicts", .conflicts, body, request: request, context: context)
    }

    @Sendable func unpartnered(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let side = try unpartneredSide(request.uri.queryParameters.get("side"))
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let (rows, total) = try await reads.unpartnered(identity.tenant, side: side, search: search, limit: paging.limit, offset: paging.offset)
        let back = "/ui/unpartnered" + WebPaths.query([("side", side), ("search", search)])
        let overview = try await reads.overview(identity.tenant)
        let body = try await syncScreen(
            Pages.unpartnered(
                side: side, rows: rows, search: search, total: total, offset: paging.offset, limit: paging.limit, identity: identity, back: back,
                counts: (overview.unpartneredSource, overview.unpartneredEconomic), offersStripe: await offersStripe(identity.tenant)),
            .unpartnered, tenant: identity.tenant, overview: overview)
        return try render("Unpartnered", .unpartnered, body, request: request, context: context)
    }

    @Sendable func synchronised(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let (links, total) = try await reads.links(identity.tenant, search: search, limit: paging.limit, offset: paging.offset)
        let refs = links.flatMap { [CustomerRef(parsing: $0.source), CustomerRef(system: .economic, id: $0.economicNumber)].compactMap { $0 } }
        let names = try await names(of: refs, tenant: identity.tenant)
        let body = try await syncScreen(
            Pages.synchronised(links, names: names, search: search, total: total, offset: paging.offset, limit: paging.limit, identity: identity),
            .synchronised, tenant: identity.tenant)
        return try render("Synchronised", .synchronised, body, request: request, context: context)
    }

    @Sendable func matchFailures(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let (rows, total) = try await reads.matchFailures(identity.tenant, search: search, limit: paging.limit, offset: paging.offset)
        let body = try await syncScreen(
            Pages.matchFailures(rows, search: search, total: total, offset: paging.offset, limit: paging.limit, identity: identity), .failures,
            tenant: identity.tenant)
        return try render("Match failures", .failures, body, request: request, context: context)
    }

    @Sendable func customers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let side = FormData(request.uri.query ?? "")["side"].flatMap { $0.isEmpty ? nil : $0 }
        guard CustomerFilter.systems(ofSide: side) != nil else { throw APIError.invalidInput("unknown side") }
        let (rows, total) = try await reads.customers(
            identity.tenant, filter: .init(side: side, search: search, includeDeleted: true, limit: paging.limit, offset: paging.offset))
        let body = Pages.customers(rows, total: total, search: search, side: side, offset: paging.offset, limit: paging.limit)
        return try render("Customers", .customers, body, request: request, context: context)
    }

    @Sendable func customer(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await customerPage(try context.customerRef(), request: request, context: context)
    }

    @Sendable func outbound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let paging = try Paging(request, maxLimit: pageSize, defaultLimit: pageSize)
        let search = request.searchBox
        let (problems, total) = try await reads.outboundProblems(identity.tenant, search: search, limit: paging.limit, offset: paging.offset)
        let body = try await syncScreen(
            Pages.outbound(
                problems, search: search, total: total, offset: paging.offset, limit: paging.limit,
                pending: try await reads.pendingCreations(identity.tenant), identity: identity),
            .outbound, tenant: identity.tenant)
        return try render("Outbound", .outbound, body, request: request, context: context)
    }

    // MARK: Actions

    func metadata(_ identity: TenantIdentity) -> CommandMetadata { CommandMetadata(actor: identity.actor) }

    /// Runs a command and redirects back (to `return_to`, when it is a page of this site) with a notice, or with
    /// the refusal's message, for that page to show once (``FlashMessage``).
    /// - Parameter subject: what the action is about, for a page that shows it to put the message next to it.
    func act(
        _ request: Request, tenant: TenantID, form: FormData, fallback: String, notice: String, subject: String? = nil,
        _ body: () async throws -> String?
    ) async throws -> Response {
        var back = fallback
        if let target = form["return_to"], target.hasPrefix("/ui"), !target.contains("//"), !target.contains("\\") { back = target }
        var flash: FlashMessage
        do {
            flash = FlashMessage(kind: .notice, text: try await body() ?? notice)
        } catch let nothing as NothingDone {
            flash = FlashMessage(kind: .info, text: nothing.message)
        } catch let error as CommandError {
            flash = FlashMessage(kind: .error, text: await refusal(error, tenant: tenant))
        } catch let error as APIError where error.status.code < 500 {
            flash = FlashMessage(kind: .error, text: error.message)
        }
        flash.subject = subject
        return HTMLResponse.redirect(to: back, flash: flash, request: request, secureCookies: configuration.secureCookies)
    }

    @Sendable func customerAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let ref = try context.customerRef()
        let form = try await formData(request)
        let action = try context.pathParameter("action")
        let fallback = Pages.customerPath(ref)
        let name = try await name(ref, tenant: identity.tenant)
        switch action {
        case "exclude":
            return try await act(request, tenant: identity.tenant, form: form, fallback: fallback, notice: "\(name) is no longer synchronised.") {
                try await commands.exclude(ref, tenant: identity.tenant, metadata: metadata(identity))
                return nil
            }
        case "include":
            return try await act(request, tenant: identity.tenant, form: form, fallback: fallback, notice: "\(name) is synchronised again.") {
                try await commands.include(ref, tenant: identity.tenant, metadata: metadata(identity))
                return nil
            }
        case "create-partner" where form.trimmed("target") == System.stripe.rawValue:
            return try await act(
                request, tenant: identity.tenant, form: form, fallback: fallback, notice: "Creating the partner of \(name) in Stripe."
            ) {
                try await commands.createStripePartner(ref, tenant: identity.tenant, metadata: metadata(identity))
                return nil
            }
        case "create-partner":
            return try await act(request, tenant: identity.tenant, form: form, fallback: fallback, notice: "Creating the partner of \(name).") {
                let numbering = try Self.numbering(form)
                try await commands.createPartner(ref, numbering: numbering, tenant: identity.tenant, metadata: metadata(identity))
                return nil
            }
        case "choose-partner":
            return try await choosePartner(ref, form: form, request: request, context: context)
        case "select-partner":
            return try await act(request, tenant: identity.tenant, form: form, fallback: fallback, notice: "Partner selected for \(name).") {
                guard let text = form.trimmed("partner") else { throw APIError.invalidInput("Enter the partner to select.") }
                let (source, economic): (CustomerRef, CustomerRef)
                if ref.system == .economic {
                    guard let partner = CustomerRef(parsing: text), partner.system.isSource else {
                        throw APIError.invalidInput("Enter the partner as stripe:cus_… or file:….")
                    }
                    (source, economic) = (partner, ref)
                } else {
                    guard let partner = APIController.economicRef(text) else { throw APIError.invalidInput("Enter the e-conomic customer number.") }
                    (source, economic) = (ref, partner)
                }
                try await commands.selectPartner(source: source, economic: economic, tenant: identity.tenant, metadata: metadata(identity))
                return nil
            }
        default:
            throw APIError.notFound("no such action")
        }
    }

    @Sendable func createPartners(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let form = try await formData(request)
        let side = CreatePartnersOnSide(try context.pathParameter("side") == "economic" ? "economic" : "source")!
        return try await act(request, tenant: identity.tenant, form: form, fallback: "/ui/unpartnered", notice: "") {
            let outcome = try await side.run(commands, numbering: try Self.numbering(form), tenant: identity.tenant, metadata: metadata(identity))
            let (created, skipped) = (outcome.created.count, outcome.skipped)
            var message = created == 0 ? "No partner was created." : "Creating \(created) partner\(created == 1 ? "" : "s")."
            if created == 0 && skipped.isEmpty { throw NothingDone(message: "No customer needed a partner.") }
            if !skipped.isEmpty {
                let shown = Array(skipped.keys.sorted().prefix(5))
                let names = try await names(shown, tenant: identity.tenant)
                message += " Skipped \(skipped.count): " + shown.map { "\(names[$0]!) (\(skipped[$0]!))" }.joined(separator: "; ")
                if skipped.count > shown.count { message += "; and \(skipped.count - shown.count) more" }
                if created == 0 { throw NothingDone(message: message) }
            }
            return message
        }
    }

    @Sendable func linkAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let link = try context.linkID()
        let form = try await formData(request)
        let action = try context.pathParameter("action")
        return try await act(request, tenant: identity.tenant, form: form, fallback: "/ui/synchronised", notice: "") {
            switch action {
            case "stop":
                try await commands.stopSync(link, tenant: identity.tenant, metadata: metadata(identity))
                return "Synchronisation stopped."
            case "restart":
                try await commands.restartSync(link, tenant: identity.tenant, metadata: metadata(identity))
                return "Synchronisation restarted."
            case "unlink":
                try await commands.unlink(link, tenant: identity.tenant, metadata: metadata(identity))
                return "The pair was unlinked."
            default:
                throw APIError.notFound("no such action")
            }
        }
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let link = try context.linkID()
        let form = try await formData(request)
        return try await act(request, tenant: identity.tenant, form: form, fallback: "/ui/conflicts#conflict-\(link)",
            notice: "Conflict resolved; both sides get the chosen values.",
            subject: "conflict:\(link)"
        ) {
            let values = form.bracketed("value")
            var choices: [String: ConflictChoice] = [:]
            for (field, choice) in form.bracketed("choice") {
                switch choice {
                case "source": choices[field] = .source
                case "economic": choices[field] = .economic
                case "value": choices[field] = .value(values[field] ?? "")
                default: throw APIError.invalidInput("Unknown choice for \(field).")
                }
            }
            // A value typed in a field's "Or use" box is that field's choice, whichever button was left selected: what a
            // person typed is never dropped.
            for (field, value) in values where !FieldValues.isBlank(value) { choices[field] = .value(value) }
            guard !choices.isEmpty else { throw APIError.invalidInput("Choose a value for at least one field.") }
            try await commands.resolveConflict(link, choices: choices, tenant: identity.tenant, metadata: metadata(identity))
            return nil
        }
    }

    @Sendable func retryOutbound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let requestID = try context.requestID()
        let form = try await formData(request)
        return try await act(request, tenant: identity.tenant, form: form, fallback: "/ui/outbound", notice: "The request will be tried again.") {
            try await commands.retryOutbound(requestID, tenant: identity.tenant, metadata: metadata(identity))
            return nil
        }
    }

    // MARK: Helpers

    func formData(_ request: Request) async throws -> FormData {
        FormData(String(buffer: try await JSONBody.bytes(of: request, limit: configuration.maxFormBodyBytes)))
    }

    static func numbering(_ form: FormData) throws -> PartnerNumbering {
        try NumberingInput(mode: form["numbering"] ?? "economicAssigns", number: form.trimmed("number").flatMap { Int($0) }).numbering()
    }

    /// Display names of customers, for lists that show pairs.
    func names(of refs: [CustomerRef], tenant: TenantID) async throws -> [CustomerRef: String] {
        var names: [CustomerRef: String] = [:]
        for row in try await reads.customers(tenant, refs: refs) { if let name = row.name { names[row.customer] = name } }
        return names
    }
}
