import EventStore
import Foundation
public import Hummingbird
import Projections
import SyncDomain
import SyncEngine

/// The JSON API under `/api/v1`. Every route runs behind ``APIKeyMiddleware`` and works only in the key's
/// tenant: reads go through ``TenantReads`` (tenant-scoped transactions in PostgreSQL), commands through
/// ``TenantCommands`` with that tenant.
public struct APIController: Sendable {
    let dependencies: ControllerDependencies
    let configuration: ServerConfiguration
    var reads: any TenantReads { dependencies.reads }
    var commands: any TenantCommands { dependencies.commands }

    /// Makes the controller.
    public init(dependencies: ControllerDependencies, configuration: ServerConfiguration) {
        self.dependencies = dependencies
        self.configuration = configuration
    }

    /// Adds the routes to a group (already authenticated).
    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("overview", use: overview)
        group.get("customers", use: listCustomers)
        group.get("customers/:system/:id", use: customer)
        group.get("customers/:system/:id/history", use: history)
        group.get("customers/:system/:id/suggestions", use: suggestions)
        group.post("customers/:system/:id/exclude", use: exclude)
        group.post("customers/:system/:id/include", use: include)
        group.post("customers/:system/:id/create-partner", use: createPartner)
        group.get("unpartnered", use: unpartnered)
        group.post("unpartnered/:side/create-partners", use: createPartners)
        group.get("exports/file-customers", use: exportFileCustomers)
        group.get("links", use: links)
        group.post("links", use: selectPartner)
        group.get("links/:link", use: link)
        group.post("links/:link/stop", use: stopSync)
        group.post("links/:link/restart", use: restartSync)
        group.post("links/:link/unlink", use: unlink)
        group.delete("links/:link", use: unlink)
        group.get("conflicts", use: conflicts)
        group.post("conflicts/:link/resolve", use: resolve)
        group.get("match-failures", use: matchFailures)
        group.get("pending-creations", use: pendingCreations)
        group.get("outbound/failures", use: outboundFailures)
        group.post("outbound/:request/retry", use: retryOutbound)
        group.get("settings", use: settings)
        group.put("settings", use: updateSettings)
        group.post("settings/preview", use: previewSettings)
        group.get("settings/application", use: settingsApplication)
        group.post("settings/application/pause", use: pauseSettingsApplication)
        group.post("settings/application/resume", use: resumeSettingsApplication)
        group.get("webhooks/inbox", use: inbox)
    }

    // MARK: Reads

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONBody.response(try await reads.overview(try context.requireIdentity().tenant))
    }

    @Sendable func listCustomers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let query = request.uri.queryParameters
        let side = query.get("side")
        guard CustomerFilter.systems(ofSide: side) != nil else {
            throw APIError.invalidInput("unknown side '\(side?.prefix(40) ?? "")': use source, economic, stripe or file")
        }
        let search = try request.searchParameter()
        let includeDeleted: Bool
        switch query.get("includeDeleted") {
        case nil, "false": includeDeleted = false
        case "true": includeDeleted = true
        case let other?: throw APIError.invalidInput("'includeDeleted' is true or false, not '\(other.prefix(40))'")
        }
        let filter = CustomerFilter(side: side, search: search, includeDeleted: includeDeleted, limit: paging.limit, offset: paging.offset)
        let (rows, total) = try await reads.customers(tenant, filter: filter)
        return JSONBody.response(Page(items: rows.map(CustomerSummary.init), total: total, limit: paging.limit, offset: paging.offset))
    }

    @Sendable func customer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        return JSONBody.response(try await Self.detail(of: try context.customerRef(), tenant: tenant, reads: reads))
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let ref = try context.customerRef()
        let entries = try await reads.history(tenant, ref)
        guard !entries.isEmpty else {
            throw APIError.notFound("customer \(ref) is not known in this tenant: nothing in its log concerns it", code: "unknown_customer")
        }
        return JSONBody.response(CustomerHistory(customer: ref, entries: entries))
    }

    /// Partners to choose from for a customer: ranked suggestions, and the results of `q` on the other side.
    @Sendable func suggestions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let ref = try context.customerRef()
        let query = request.uri.queryParameters.get("q")
        guard (query?.unicodeScalars.count ?? 0) <= 200 else { throw APIError.invalidInput("'q' has at most 200 characters") }
        guard let row = try await reads.customer(tenant, ref) else { throw APIError.notFound("customer \(ref) is not known in this tenant") }
        return JSONBody.response(try await PartnerSuggestions.build(for: row, query: query, tenant: tenant, reads: reads))
    }

    /// A customer's detail: its row, link, conflicts and history (across every stream that concerns it).
    static func detail(of ref: CustomerRef, tenant: TenantID, reads: any TenantReads) async throws -> CustomerDetail {
        let history = try await reads.history(tenant, ref)
        guard let row = try await reads.customer(tenant, ref) else {
            let ownStream = StreamName.customer(ref).rawValue
            guard history.contains(where: { $0.stream == ownStream }) else { throw APIError.notFound("customer \(ref) is not known in this tenant") }
            throw APIError(
                .notFound, code: "not_yet_projected", message: "customer \(ref) was just recorded and is not listed yet; try again in a moment")
        }
        var link: LinkSummary?
        var conflicts: [ConflictField] = []
        if let linkText = row.linkID, let uuid = UUID(uuidString: linkText) {
            link = try await reads.link(tenant, LinkID(uuid)).map(LinkSummary.init)
            conflicts = try await reads.conflicts(tenant, link: LinkID(uuid), search: nil).map(ConflictField.init)
        }
        return CustomerDetail(
            customer: CustomerSummary(row), fields: row.fields, mapped: row.mapped, sourceUpdatedAt: row.sourceUpdatedAt,
            lastSourceEventId: row.lastSourceEventID, link: link, conflicts: conflicts, history: history)
    }

    /// The file customers as a customer file (``FileCustomersExport``).
    @Sendable func exportFileCustomers(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await FileCustomersExport(reads: reads, commands: commands).response(for: try context.requireIdentity().tenant)
    }

    @Sendable func unpartnered(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let side = try unpartneredSide(request.uri.queryParameters.get("side"))
        let (rows, total) = try await reads.unpartnered(
            tenant, side: side, search: try request.searchParameter(), limit: paging.limit, offset: paging.offset)
        return JSONBody.response(Page(items: rows.map(UnpartneredItem.init), total: total, limit: paging.limit, offset: paging.offset))
    }

    @Sendable func links(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let (rows, total) = try await reads.links(tenant, search: try request.searchParameter(), limit: paging.limit, offset: paging.offset)
        return JSONBody.response(Page(items: rows.map(LinkSummary.init), total: total, limit: paging.limit, offset: paging.offset))
    }

    @Sendable func link(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let id = try context.linkID()
        guard let row = try await reads.link(tenant, id) else { throw APIError.notFound("link \(id) is not known in this tenant") }
        return JSONBody.response(LinkSummary(row))
    }

    @Sendable func conflicts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let (groups, total) = try await Self.conflictGroups(
            tenant: try context.requireIdentity().tenant, search: try request.searchParameter(), reads: reads, limit: paging.limit,
            offset: paging.offset)
        return JSONBody.response(Page(items: groups, total: total, limit: paging.limit, offset: paging.offset))
    }

    /// A page of the open conflicts grouped by pair (the pair whose oldest conflict is oldest first), and how many
    /// pairs have one (with `search`: only the pairs with a customer whose name, e-mail or id contains it).
    static func conflictGroups(tenant: TenantID, search: String? = nil, reads: any TenantReads, limit: Int, offset: Int) async throws
        -> (groups: [ConflictGroup], total: Int)
    {
        let rows = try await reads.conflicts(tenant, link: nil, search: search)
        var order: [String] = []
        var byLink: [String: [ConflictField]] = [:]
        for row in rows {
            if byLink[row.linkID] == nil { order.append(row.linkID) }
            byLink[row.linkID, default: []].append(ConflictField(row))
        }
        let total = order.count
        order = Array(order.dropFirst(offset).prefix(limit))
        let links = Dictionary(try await reads.links(tenant, ids: order).map { ($0.linkID, $0) }, uniquingKeysWith: { first, _ in first })
        let groups = order.map { id in
            ConflictGroup(
                linkId: id, source: links[id]?.source, economic: links[id].map { "economic:\($0.economicNumber)" }, fields: byLink[id] ?? [])
        }
        return (groups, total)
    }

    @Sendable func matchFailures(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let (rows, total) = try await reads.matchFailures(tenant, search: try request.searchParameter(), limit: paging.limit, offset: paging.offset)
        return JSONBody.response(Page(items: rows.map(CustomerSummary.init), total: total, limit: paging.limit, offset: paging.offset))
    }

    @Sendable func pendingCreations(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONBody.response(try await reads.pendingCreations(try context.requireIdentity().tenant).map(PendingItem.init))
    }

    @Sendable func outboundFailures(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let (rows, total) = try await reads.outboundProblems(tenant, search: try request.searchParameter(), limit: paging.limit, offset: paging.offset)
        return JSONBody.response(Page(items: rows, total: total, limit: paging.limit, offset: paging.offset))
    }

    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let settings = try await commands.settings(of: try context.requireIdentity().tenant)
        return JSONBody.response(SettingsDocument(version: settings.version, settings: settings))
    }

    /// Where the latest saved change of mappings stands in reaching the linked pairs; 404 when none was ever applied.
    @Sendable func settingsApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        guard let application = try await dependencies.applications?.latest(of: tenant) else {
            throw APIError.notFound("No change of mappings has been applied to linked pairs yet.")
        }
        return JSONBody.response(SettingsApplicationDocument(application))
    }

    @Sendable func inbox(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        return JSONBody.response(try await reads.inbox(tenant, limit: paging.limit))
    }

    // MARK: Commands

    func metadata(_ context: AppRequestContext) throws -> CommandMetadata {
        CommandMetadata(actor: try context.requireIdentity().actor)
    }

    @Sendable func exclude(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let result = try await commands.exclude(try context.customerRef(), tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result))
    }

    @Sendable func include(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let result = try await commands.include(try context.customerRef(), tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result))
    }

    @Sendable func createPartner(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let ref = try context.customerRef()
        let input = try await optionalBody(CreatePartnerInput.self, request) ?? CreatePartnerInput(numbering: nil)
        if try input.targetSystem(for: ref) == .stripe {
            let result = try await commands.createStripePartner(ref, tenant: identity.tenant, metadata: try metadata(context))
            return JSONBody.response(CommandOutcome(result), status: .accepted)
        }
        let numbering = try input.numbering?.numbering() ?? .economicAssigns
        let result = try await commands.createPartner(ref, numbering: numbering, tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result), status: .accepted)
    }

    @Sendable func createPartners(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let name = try context.pathParameter("side")
        guard let side = CreatePartnersOnSide(name) else {
            throw APIError.notFound("unknown side '\(name.prefix(40))': use source, stripe, file or economic")
        }
        let input = try await optionalBody(CreatePartnerInput.self, request) ?? CreatePartnerInput(numbering: nil)
        if let target = input.target, target != (side.systems == [.economic] ? System.file : .economic).rawValue {
            throw APIError.invalidInput(
                "partners are created for a whole side in e-conomic (Stripe and file customers) or in a file (e-conomic customers); "
                    + "create an e-conomic customer's partner in Stripe one customer at a time")
        }
        let numbering = try input.numbering?.numbering() ?? .economicAssigns
        let outcome = try await side.run(commands, numbering: numbering, tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(
            CreatePartnersOutcome(
                appended: outcome.appended, created: outcome.created.map(\.description).sorted(),
                skipped: Dictionary(uniqueKeysWithValues: outcome.skipped.map { ($0.key.description, $0.value) })),
            status: .accepted)
    }

    @Sendable func selectPartner(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let input = try await JSONBody.decode(SelectPartnerInput.self, from: request, limit: configuration.maxJSONBodyBytes)
        guard let source = CustomerRef(parsing: input.source), source.system.isSource else {
            throw APIError.invalidInput("'source' must be a Stripe or file customer, e.g. stripe:cus_123")
        }
        guard let economic = Self.economicRef(input.economic) else {
            throw APIError.invalidInput("'economic' must be an e-conomic customer, e.g. economic:1042")
        }
        let result = try await commands.selectPartner(source: source, economic: economic, tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result), status: .created)
    }

    /// `economic:42` or `42`.
    static func economicRef(_ text: String) -> CustomerRef? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let ref = CustomerRef(parsing: trimmed) ?? CustomerRef(system: .economic, id: trimmed)
        guard ref.system == .economic, let number = Int(ref.id), (1...999_999_999).contains(number) else { return nil }
        return .economic(number)
    }

    @Sendable func stopSync(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        return JSONBody.response(
            CommandOutcome(try await commands.stopSync(try context.linkID(), tenant: identity.tenant, metadata: try metadata(context))))
    }

    @Sendable func restartSync(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        return JSONBody.response(
            CommandOutcome(try await commands.restartSync(try context.linkID(), tenant: identity.tenant, metadata: try metadata(context))))
    }

    @Sendable func unlink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        return JSONBody.response(
            CommandOutcome(try await commands.unlink(try context.linkID(), tenant: identity.tenant, metadata: try metadata(context))))
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let link = try context.linkID()
        let input = try await JSONBody.decode(ResolveInput.self, from: request, limit: configuration.maxJSONBodyBytes)
        guard !input.choices.isEmpty else { throw APIError.invalidInput("'choices' must name at least one field") }
        for field in input.choices.keys where EconomicField(rawValue: field) == nil {
            throw APIError.invalidInput("'\(field.prefix(60))' is not an e-conomic field")
        }
        let result = try await commands.resolveConflict(link, choices: input.choices, tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result))
    }

    @Sendable func retryOutbound(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let result = try await commands.retryOutbound(try context.requestID(), tenant: identity.tenant, metadata: try metadata(context))
        return JSONBody.response(CommandOutcome(result), status: .accepted)
    }

    /// Pauses the change of mappings being applied, after the chunk of links in progress; 409 when none runs.
    @Sendable func pauseSettingsApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        guard let paused = try await dependencies.applications?.pause(tenant) else {
            throw APIError.conflict("No change of mappings is being applied, so there is nothing to pause.", code: "not_running")
        }
        return JSONBody.response(SettingsApplicationDocument(paused))
    }

    /// Resumes a paused change of mappings from the link where it stopped; 409 when none is paused.
    @Sendable func resumeSettingsApplication(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        guard let resumed = try await dependencies.applications?.resume(tenant) else {
            throw APIError.conflict("No change of mappings is paused, so there is nothing to resume.", code: "not_paused")
        }
        return JSONBody.response(SettingsApplicationDocument(resumed))
    }

    @Sendable func updateSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let input = try await JSONBody.decode(SettingsUpdate.self, from: request, limit: configuration.maxJSONBodyBytes)
        // Defaults the tenant's e-conomic agreement does not offer would make every automatic create fail later.
        let problems = try await dependencies.defaultsProblems(input.settings, tenant: identity.tenant)
        guard problems.isEmpty else { throw APIError(.unprocessableContent, code: "invalid_settings", message: problems.joined(separator: " ")) }
        if !input.confirm,
            let report = try await dependencies.confirmationNeeded(
                for: input.settings, tenant: identity.tenant, threshold: configuration.confirmChangesAbove)
        {
            throw APIError(
                .conflict, code: "confirmation_required",
                message: "This change would change \(report.changed) customers (more than \(configuration.confirmChangesAbove)): "
                    + "\(report.summary.sentence). See what it does with POST /api/v1/settings/preview, then send it again with \"confirm\": true.")
        }
        do {
            try await commands.updateSettings(
                input.settings, expectedVersion: input.expectedVersion, tenant: identity.tenant, metadata: try metadata(context))
        } catch let error as CommandError where error.code == .invalidInput {
            // Name every problem at once, not only the first.
            let problems = input.settings.validationErrors().map(\.description)
            throw APIError.invalidInput(problems.isEmpty ? error.message : problems.joined(separator: " "))
        } catch let error as CommandError where error.code == .rejected {
            throw APIError(.conflict, code: "stale_version", message: error.message)
        }
        let settings = try await commands.settings(of: identity.tenant)
        return JSONBody.response(SettingsDocument(version: settings.version, settings: settings))
    }

    /// What proposed settings would change, replayed over the tenant's log; nothing is saved. The body is the
    /// settings update's (or its `settings` object alone); invalid settings answer 422 naming every problem.
    @Sendable func previewSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let tenant = try context.requireIdentity().tenant
        let paging = try Paging(request, maxLimit: configuration.maxPageSize)
        let body = try await JSONBody.bytes(of: request, limit: configuration.maxJSONBodyBytes)
        let proposal: TenantSettings
        do {
            proposal = try ProposedSettings.decode(Data(String(buffer: body).utf8))
        } catch {
            throw APIError(.unprocessableContent, code: error.code == .invalidSettings ? "invalid_settings" : "invalid_input", message: error.message)
        }
        return JSONBody.response(try await reads.replay(tenant, proposal: proposal, limit: paging.limit, offset: paging.offset))
    }

    /// A JSON body that may be absent (empty).
    func optionalBody<Value: Decodable>(_ type: Value.Type, _ request: Request) async throws -> Value? {
        let buffer = try await JSONBody.bytes(of: request, limit: configuration.maxJSONBodyBytes)
        guard buffer.readableBytes > 0 else { return nil }
        return try await JSONBody.decode(type, from: Request(head: request.head, body: .init(buffer: buffer)), limit: configuration.maxJSONBodyBytes)
    }
}
