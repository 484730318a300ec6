/// Everything a sandbox needs to start.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `host` | `127.0.0.1` | address to bind |
/// | `port` | `8089` | port to bind; `0` picks a free one (see `onServerRunning` of ``buildSandboxApplication(configuration:logger:onServerRunning:)``) |
/// | `appSecretToken` | `sandbox-app-secret` | expected `X-AppSecretToken` |
/// | `agreementGrantToken` | `sandbox-agreement-grant` | expected `X-AgreementGrantToken` |
/// | `publicBaseURL` | `nil` | base of `self`/paging links; `nil` = `http://` + the request's `Host` header |
/// | `knobs` | ``SandboxKnobs/none`` | injected 429/5xx/dropped responses and latency |
/// | `randomSeed` | `1` | seed of the generator behind knobs and scattered customer numbers |
/// | `seed` | ``SandboxSeed/demo`` | data of a fresh sandbox (and of `POST /_sandbox/reset`) |
/// | `numbering` | ``CustomerNumbering/default`` | how numbers are assigned when a POST has none |
/// | `persistencePath` | `nil` | JSON file to load at start and rewrite after every change; `nil` = memory only |
///
/// The default tokens are deliberately not e-conomic's `demo`/`demo`: the real demo agreement is read-only,
/// so code that works against the sandbox with `demo` tokens would fail against e-conomic on its first write.
public struct SandboxConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind; 0 lets the system choose.
    public var port: Int
    /// The app secret token requests must send in `X-AppSecretToken`.
    public var appSecretToken: String
    /// The agreement grant token requests must send in `X-AgreementGrantToken`.
    public var agreementGrantToken: String
    /// Base URL used in `self`, paging and reference links, e.g. `http://127.0.0.1:8089`. `nil` derives it
    /// from each request's `Host` header.
    public var publicBaseURL: String?
    /// Fault injection at start; change at runtime with `/_sandbox/knobs`.
    public var knobs: SandboxKnobs
    /// Seed of the random generator (knobs and scattered numbers): same seed + same requests = same run.
    public var randomSeed: UInt64
    /// Data of a fresh sandbox.
    public var seed: SandboxSeed
    /// How customer numbers are assigned when a POST omits one.
    public var numbering: CustomerNumbering
    /// A JSON file holding the sandbox's state across restarts, or `nil` for memory only.
    public var persistencePath: String?

    /// The token defaults documented above.
    public static let defaultAppSecretToken = "sandbox-app-secret"
    /// The token defaults documented above.
    public static let defaultAgreementGrantToken = "sandbox-agreement-grant"

    /// Creates a configuration; see the table above for defaults.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8089,
        appSecretToken: String = SandboxConfiguration.defaultAppSecretToken,
        agreementGrantToken: String = SandboxConfiguration.defaultAgreementGrantToken,
        publicBaseURL: String? = nil,
        knobs: SandboxKnobs = .none,
        randomSeed: UInt64 = 1,
        seed: SandboxSeed = .demo,
        numbering: CustomerNumbering = .default,
        persistencePath: String? = nil
    ) {
        self.host = host
        self.port = port
        self.appSecretToken = appSecretToken
        self.agreementGrantToken = agreementGrantToken
        self.publicBaseURL = publicBaseURL
        self.knobs = knobs
        self.randomSeed = randomSeed
        self.seed = seed
        self.numbering = numbering
        self.persistencePath = persistencePath
    }
}
