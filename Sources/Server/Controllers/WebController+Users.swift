import Credentials
import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// `/ui/users`: the people who log in to the tenant with a password. Everyone sees the list; an admin adds and
/// removes (a viewer's post never gets here: ``SessionMiddleware`` refuses it).
extension WebController {
    /// Adds the users page's routes.
    func addUserRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("users", use: usersPage)
        group.post("users", use: addUser)
        group.post("users/:user/remove", use: removeUser)
    }

    @Sendable func usersPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let users = try await requireUsers().list(tenant: identity.tenant)
        return try render("Users", nil, Pages.users(users, identity: identity), request: request, context: context)
    }

    /// Adds a person; a refusal (not an e-mail address, taken, password too short) is shown next to the form with
    /// what was typed kept, and nothing is added.
    @Sendable func addUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let users = try requireUsers()
        let form = try await formData(request)
        let email = form.trimmed("email") ?? ""
        let role = form["role"].flatMap(UserRole.init(rawValue:))
        do {
            guard let role else { throw UserStore.Error(description: "choose a role: admin or viewer") }
            let user = try await users.add(email: email, password: form["password"] ?? "", role: role, tenant: identity.tenant)
            let notice = "Added \(user.email) as \(user.role == .admin ? "an admin" : "a viewer"). Give them their first password in person."
            return HTMLResponse.redirect(
                to: "/ui/users", flash: FlashMessage(kind: .notice, text: notice), request: request, secureCookies: configuration.secureCookies)
        } catch let error as UserStore.Error {
            let page = Pages.users(
                try await users.list(tenant: identity.tenant), identity: identity, problem: sentence(error.description),
                typed: (email, role ?? .viewer))
            return try render("Users", nil, page, request: request, context: context, status: .unprocessableContent)
        }
    }

    @Sendable func removeUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let users = try requireUsers()
        let userID = try context.parameters.require("user")
        let listed = try await users.list(tenant: identity.tenant)
        guard let user = listed.first(where: { $0.userID == userID }) else { throw APIError.notFound("this tenant has no such user") }
        if identity.method == .user && identity.principal == user.email {
            let page = Pages.users(listed, identity: identity, problem: "You cannot remove yourself; another admin can.")
            return try render("Users", nil, page, request: request, context: context, status: .conflict)
        }
        _ = try await users.remove(userID: userID, tenant: identity.tenant)
        return HTMLResponse.redirect(
            to: "/ui/users", flash: FlashMessage(kind: .notice, text: "Removed \(user.email); their sessions have ended."), request: request,
            secureCookies: configuration.secureCookies)
    }

    private func requireUsers() throws -> any TenantUsers {
        guard let users = dependencies.users else { throw APIError(.serviceUnavailable, code: "users_unavailable", message: "this server keeps no users") }
        return users
    }
}
