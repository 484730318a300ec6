import Credentials
import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import Testing

/// The login role `accord serve` connects as (`accord`, db/roles.sql) is no superuser and a member of the runtime
/// roles only; in a tenant's scope it sees no other tenant's rows and no sealed secret column, and nowhere can it
/// change the schema the owner role migrated.
@Suite("The runtime login role's privileges", .timeLimit(.minutes(5)))
struct RuntimeRoleTests {
    /// Every column that holds a sealed credential or a secret's hash.
    static let secretColumns = [
        ("tenant_connections", "economic_app_secret_token"), ("tenant_connections", "economic_agreement_grant_token"),
        ("tenant_connections", "stripe_secret_key"), ("tenant_connections", "stripe_webhook_secrets"), ("api_keys", "secret_hash"),
        ("web_sessions", "token_hash"), ("tenant_users", "password_hash"),
    ]

    @Test("no superuser, no role or database creation, no BYPASSRLS; member of accord_tenant and accord_system only")
    func attributes() async throws {
        try await TestDatabase.with { database in
            try await database.withPool(as: .runtime) { pool in
                let (user, superuser, createRole, createDB, bypass) = try #require(
                    try await pool.withConnection { connection in
                        try await connection.query(
                            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user"
                        ).decode((String, Bool, Bool, Bool, Bool).self)
                    }.first)
                #expect(user == "accord")
                #expect(!superuser && !createRole && !createDB && !bypass)
                let memberOf = try await pool.withConnection { connection in
                    try await connection.query(
                        """
                        SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                        WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user) ORDER BY 1
                        """
                    ).decode(String.self)
                }
                #expect(memberOf == ["accord_system", "accord_tenant"])
                let owner = try await pool.withConnection { connection in
                    try await connection.query("SELECT tableowner FROM pg_tables WHERE tablename = 'events'").singleValue(String.self)
                }
                #expect(owner == "accord_owner", "the migrations ran as the owner role")
            }
        }
    }

    @Test("in a tenant's scope: none of another tenant's rows, no sealed or hashed column; unscoped: no tenant rows at all")
    func isolation() async throws {
        try await TestDatabase.with { database in
            try await database.withPool(as: .runtime) { pool in
                let acme = try await database.addTenant("acme", pool: pool)
                let globex = try await database.addTenant("globex", pool: pool)
                let keys = APIKeyStore(pool: pool)
                for tenant in [acme, globex] {
                    let key = try await keys.create(tenant: tenant, name: "test").key
                    _ = try await SessionStore(pool: pool).open(tenant: tenant, holder: .apiKey(key.keyID), lifetime: .seconds(600))
                    _ = try await UserStore(pool: pool, cost: 4).add(
                        email: "anna@\(tenant.rawValue).test", password: "a long enough password", role: .viewer, tenant: tenant)
                    try await pool.withTransaction(scope: .system) { connection in
                        let sealed = Data(repeating: 7, count: 40)
                        try await connection.execute(
                            """
                            INSERT INTO tenant_connections (tenant_id, key_id, economic_base_url, economic_app_secret_token,
                                economic_agreement_grant_token, stripe_api_base, stripe_secret_key, stripe_webhook_secrets)
                            VALUES (\(tenant.rawValue), 'k1', 'http://e.test', \(sealed), \(sealed), 'http://s.test', \(sealed), \(sealed))
                            """)
                        try await connection.execute(
                            """
                            INSERT INTO webhook_inbox (tenant_id, source, event_id, event_type, event_created, payload)
                            VALUES (\(tenant.rawValue), 'stripe', 'evt_1', 'customer.created', now(), '{}')
                            """)
                    }
                }
                let tables = ["tenants", "api_keys", "web_sessions", "tenant_users", "tenant_connections", "webhook_inbox"]
                for table in tables {
                    let column = table == "tenants" ? "id" : "tenant_id"
                    let (own, others) = try #require(
                        try await pool.withTransaction(scope: .tenant(acme)) { connection in
                            try await connection.query(
                                "SELECT count(*) FILTER (WHERE \(identifier: column) = 'acme'), count(*) FILTER (WHERE \(identifier: column) <> 'acme') FROM \(identifier: table)"
                            ).decode((Int, Int).self)
                        }.first)
                    #expect(own >= 1, "\(table): acme sees its own rows")
                    #expect(others == 0, "\(table): acme sees none of globex's rows")
                    let unscoped = try await pool.withConnection { connection in
                        try await connection.query("SELECT count(*) FROM \(identifier: table)").singleValue(Int.self)
                    }
                    #expect(unscoped == 0, "\(table): outside a scope, row-level security shows nothing")
                }
                for (table, column) in Self.secretColumns {
                    let error = await #expect(throws: PGError.self, "\(table).\(column) is readable in a tenant's scope") {
                        try await pool.withTransaction(scope: .tenant(acme)) { connection in
                            try await connection.query("SELECT \(identifier: column) FROM \(identifier: table)")
                        }
                    }
                    #expect(error?.sqlState == .insufficientPrivilege)
                }
            }
        }
    }

    @Test("no DDL on the owner's schema, in any scope: no dropping, altering, disabling triggers or row-level security, truncating")
    func noDDL() async throws {
        try await TestDatabase.with { database in
            try await database.withPool(as: .runtime) { pool in
                let tenant = try await database.addTenant("acme", pool: pool)
                let statements = [
                    "DROP TABLE tenant_connections", "ALTER TABLE events DISABLE TRIGGER ALL", "ALTER TABLE api_keys DISABLE ROW LEVEL SECURITY",
                    "ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY", "TRUNCATE events", "ALTER TABLE events ADD COLUMN x integer",
                    "CREATE ROLE intruder", "GRANT accord_system TO accord_tenant", "UPDATE events SET type = 'x'",
                    "DROP POLICY tenants_isolation ON tenants",
                ]
                for statement in statements {
                    for scope in [DatabaseScope.system, .tenant(tenant)] {
                        let error = await #expect(throws: PGError.self, "\(statement) in \(scope)") {
                            try await pool.withTransaction(scope: scope) { connection in try await connection.execute(PGQuery(unsafeSQL: statement)) }
                        }
                        #expect(error?.sqlState == .insufficientPrivilege, "\(statement) in \(scope): \(String(describing: error?.sqlState))")
                    }
                }
                let create = await #expect(throws: PGError.self) {
                    try await pool.withTransaction(scope: .tenant(tenant)) { connection in
                        try await connection.execute("CREATE TABLE intruder (x integer)")
                    }
                }
                #expect(create?.sqlState == .insufficientPrivilege, "a tenant's scope creates nothing")
            }
        }
    }
}
