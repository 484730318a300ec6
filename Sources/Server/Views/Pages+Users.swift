import Credentials
import Foundation

extension Pages {
    /// The users page: who logs in to this tenant with a password and what each may do; an admin adds and removes
    /// users here (a viewer sees the list only). `problem` is shown next to the form it concerns, and what was typed
    /// (but the password) is kept.
    static func users(_ users: [UserStore.User], identity: TenantIdentity, problem: String? = nil, typed: (email: String, role: UserRole)? = nil) -> HTML {
        let admin = identity.role == .admin
        let rows = HTML.join(
            users.map { user in
                let you: HTML = identity.method == .user && identity.principal == user.email ? " <span class=\"muted\">(you)</span>" : .empty
                let remove: HTML =
                    admin && !(identity.method == .user && identity.principal == user.email)
                    ? """
                    <form method="post" action="/ui/users/\(user.userID)/remove" class="inline">\(Layout.csrf(identity))<button aria-label="Remove \(user.email)">Remove</button></form>
                    """
                    : .empty
                return "<tr><td>\(user.email)\(you)</td><td>\(user.role.title)</td><td>\(user.createdAt)</td><td>\(remove)</td></tr>"
            })
        let list: HTML =
            users.isEmpty
            ? "<p>No one logs in with a password yet. Add the first person below; they log in with their e-mail address.</p>"
            : "<table><tr><th>E-mail address</th><th>Role</th><th>Added</th><th></th></tr>\(rows)</table>"
        let message: HTML = problem.map { "<p class=\"error\" role=\"alert\" id=\"user-problem\">\($0)</p>" } ?? .empty
        let options = HTML.join(
            UserRole.allCases.map { role in
                let selected: HTML = role == (typed?.role ?? .viewer) ? " selected" : .empty
                return "<option value=\"\(role.rawValue)\"\(selected)>\(role.title)</option>"
            })
        let form: HTML =
            admin
            ? """
            <section class="card" id="add-user"><h2>Add a person</h2>\(message)
            <form method="post" action="/ui/users">\(Layout.csrf(identity))
            <label for="email">E-mail address</label><input type="email" id="email" name="email" size="40" autocomplete="off" required value="\(typed?.email ?? "")">
            <label for="role">Role</label><select id="role" name="role">\(options)</select>
            <label for="password">First password (at least \(String(UserStore.minimumPasswordLength)) characters; give it to them in person)</label>
            <input type="password" id="password" name="password" size="40" autocomplete="new-password" minlength="\(String(UserStore.minimumPasswordLength))" required>
            <p><button class="primary">Add</button></p></form></section>
            """
            : "<p class=\"muted\">Only an admin adds or removes people.</p>"
        return """
            <h1>Users</h1>
            <p>Admins change settings, connections, partners and people; viewers look at everything and change nothing.
            Machines use API keys (<code>accord tenant api-key create</code>).</p>
            \(list)\(form)
            """
    }
}
