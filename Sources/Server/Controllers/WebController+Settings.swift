import EventStore
import Hummingbird
import Projections
import SyncDomain
import SyncEngine

extension WebController {
    /// The settings page; the defaults for new customers are chosen from e-conomic's own lists when it is connected.
    @Sendable func settingsPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let settings = try await commands.settings(of: identity.tenant)
        let application = try await dependencies.applications?.latest(of: identity.tenant)
        let page = Pages.settings(
            SettingsForm(settings), problems: [], application: application, choices: await economicChoices(identity.tenant), identity: identity)
        return try render("Settings", .settings, page, request: request, context: context)
    }

    /// Pauses or resumes the change of mappings being applied to the linked pairs.
    @Sendable func settingsApplicationAction(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let form = try await formData(request)
        let action = try context.pathParameter("action")
        return try await act(request, tenant: identity.tenant, form: form, fallback: "/ui/settings", notice: "") {
            switch action {
            case "pause":
                guard try await dependencies.applications?.pause(identity.tenant) != nil else {
                    throw APIError.conflict("The change of mappings is no longer being applied: there was nothing to pause.")
                }
                return "Paused. The linked pairs done so far keep the new mappings; resume to apply them to the rest."
            case "resume":
                guard try await dependencies.applications?.resume(identity.tenant) != nil else {
                    throw APIError.conflict("The change of mappings is not paused: there was nothing to resume.")
                }
                return "Resumed from where it stopped."
            default:
                throw APIError.notFound("no such action")
            }
        }
    }

    /// Saves the form; changed defaults are checked against e-conomic's lists first (a default the agreement does not
    /// offer would make every automatic create fail later), and a refused form comes back as typed, with every problem.
    /// A change that would change more customers than `confirmChangesAbove` comes back first with its preview and a
    /// button that saves it confirmed.
    @Sendable func saveSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let data = try await formData(request)
        let form = SettingsForm(data)
        func refused(_ problems: [SettingsForm.Problem], status: HTTPResponse.Status) async throws -> Response {
            let page = Pages.settings(form, problems: problems, choices: await economicChoices(identity.tenant), identity: identity)
            return try render("Settings", .settings, page, request: request, context: context, status: status)
        }
        switch form.settings() {
        case .failure(let problems):
            return try await refused(problems.items, status: .unprocessableContent)
        case .success(let (settings, expectedVersion)):
            do {
                let problems = try await dependencies.defaultsProblems(settings, tenant: identity.tenant)
                if !problems.isEmpty { return try await refused(problems.map { .init(.defaults, $0) }, status: .unprocessableContent) }
                let threshold = configuration.confirmChangesAbove
                if data["confirm"] != "yes",
                    let report = try await dependencies.confirmationNeeded(for: settings, tenant: identity.tenant, threshold: threshold)
                {
                    let page = Pages.settings(
                        form, problems: [], preview: report, confirming: (report.changed, threshold), choices: await economicChoices(identity.tenant),
                        identity: identity)
                    return try render("Settings", .settings, page, request: request, context: context)
                }
                try await commands.updateSettings(settings, expectedVersion: expectedVersion, tenant: identity.tenant, metadata: metadata(identity))
            } catch let error as APIError where error.code == "economic_unavailable" {
                return try await refused([.init(.defaults, error.message)], status: error.status)
            } catch let error as CommandError where error.code == .rejected {
                return try await refused([.init(.version, error.message)], status: .conflict)
            } catch let error as CommandError where error.code == .invalidInput {
                return try await refused([.init(.version, error.message)], status: .unprocessableContent)
            }
            return HTMLResponse.redirect(
                to: "/ui/settings", flash: FlashMessage(kind: .notice, text: "Settings saved."), request: request,
                secureCookies: configuration.secureCookies)
        }
    }

    /// The settings page with what the form's settings would change (replayed over the tenant's log); nothing is saved.
    @Sendable func previewSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let form = SettingsForm(try await formData(request))
        let problems: [SettingsForm.Problem]
        var preview: ReplayReport?
        switch form.settings() {
        case .failure(let found):
            problems = found.items
        case .success(let (settings, _)):
            problems = SettingsForm.Problem.all(settings)
            if problems.isEmpty { preview = try await reads.replay(identity.tenant, proposal: settings, limit: 20, offset: 0) }
        }
        let page = Pages.settings(form, problems: problems, preview: preview, choices: await economicChoices(identity.tenant), identity: identity)
        return try render("Settings", .settings, page, request: request, context: context, status: problems.isEmpty ? .ok : .unprocessableContent)
    }

    /// e-conomic's lists for the page (none without a connections admin, as in tests over memory).
    func economicChoices(_ tenant: TenantID) async -> EconomicChoicesState {
        guard let connections = dependencies.connections else { return .notConnected }
        do {
            return try await connections.economicChoices(tenant: tenant)
        } catch {
            return .unavailable("the connection could not be read")
        }
    }
}
