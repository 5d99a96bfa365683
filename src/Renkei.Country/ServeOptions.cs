using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Tls;

namespace Renkei.Country;

/// <summary>Which institution a <c>renkei serve</c> process runs (<see cref="CountryRoles"/>).</summary>
public enum CountryRole
{
    /// <summary>情報提供ネットワークシステム (section <c>Network</c>).</summary>
    Network,
    /// <summary>地方公共団体情報システム機構 (section <c>Jlis</c>).</summary>
    Jlis,
    /// <summary>市区町村: the ward's API (section <c>Ward</c>) and, with an <c>Intermediate</c> section, its intermediate server.</summary>
    Municipality,
    /// <summary>日本年金機構 or a 健康保険組合 (section <c>Holder</c>) and, with an <c>Intermediate</c> section, its intermediate server.</summary>
    Holder,
    /// <summary>マイナポータル (section <c>Portal</c>; no database: sessions in memory).</summary>
    Portal,
    /// <summary>証明書交付センター (section <c>IssuanceCentre</c>; <c>--role issuance-centre</c>): the kiosks' sessions and transaction log.</summary>
    IssuanceCentre,
    /// <summary>
    /// キオスク端末 (section <c>Kiosk</c>): the touch screen, served over plain HTTP to the device's own browser only (loopback),
    /// and its signed requests to the issuance centre (mutual TLS with <c>Serve:Tls</c>). No database: it keeps nothing.
    /// </summary>
    Kiosk,
}

/// <summary>
/// What a role's process needs besides its modules' own sections (configuration section <see cref="Section"/>): where each
/// of its services listens, the node's mutual-TLS files and, for a ward, the key files of the operation log and the staff
/// TOTP secrets it opens for the ward's API. <see cref="Validate"/> names each wrong setting, never its value.
/// </summary>
public sealed class ServeOptions
{
    public const string Section = "Serve";

    /// <summary>The role's own service (the network, J-LIS, the ward's API, the holder's service, the portal).</summary>
    public ListenSetting Listen { get; set; } = new();

    /// <summary>The intermediate server of a ward or holder, when the file has an <c>Intermediate</c> section.</summary>
    public ListenSetting IntermediateListen { get; set; } = new();

    /// <summary>The node's mutual TLS on the network CA's certificates; none: plain HTTP (development on one machine).</summary>
    public TlsFiles? Tls { get; set; }

    /// <summary>Municipality: the key that signs the operation log's checkpoints (created on first use; public key beside it, .pub).</summary>
    public string? AuditKeyFile { get; set; }

    /// <summary>Municipality: the key that encrypts staff TOTP secrets at rest (created on first use).</summary>
    public string? TotpKeyFile { get; set; }

    /// <summary>Municipality: the operation log's checkpointing.</summary>
    public AuditLogSetting AuditLog { get; set; } = new();

    /// <summary>Municipality: create the demo staff accounts (DEMO ONLY: their credentials derive from a public seed).</summary>
    public bool DemoStaff { get; set; }

    /// <summary>The failures of these settings for <paramref name="role"/>, each naming the setting (<c>Serve:Listen:Port</c>).</summary>
    public List<string> Validate(CountryRole role)
    {
        const string s = Section + ":";
        var failures = new List<string>();
        Listen.Validate(failures, s + nameof(Listen));
        if (role is CountryRole.Municipality or CountryRole.Holder) IntermediateListen.Validate(failures, s + nameof(IntermediateListen));
        if (Tls is { } tls)
        {
            if (string.IsNullOrWhiteSpace(tls.Certificate)) failures.Add(s + "Tls:Certificate is required: the node certificate (PEM)");
            if (string.IsNullOrWhiteSpace(tls.Key)) failures.Add(s + "Tls:Key is required: the node certificate's private key (PEM)");
            if (string.IsNullOrWhiteSpace(tls.Authority)) failures.Add(s + "Tls:Authority is required: the network CA's certificate (PEM)");
        }
        if (role == CountryRole.Municipality)
        {
            if (string.IsNullOrWhiteSpace(AuditKeyFile)) failures.Add(s + "AuditKeyFile is required: the ward's operation-log signing key file");
            if (string.IsNullOrWhiteSpace(TotpKeyFile)) failures.Add(s + "TotpKeyFile is required: the key file of the staff TOTP secrets");
        }
        else
        {
            if (AuditKeyFile is not null) failures.Add(s + "AuditKeyFile is only for --role municipality (each other module keeps its log key with its keys)");
            if (TotpKeyFile is not null) failures.Add(s + "TotpKeyFile is only for --role municipality");
            if (DemoStaff) failures.Add(s + "DemoStaff is only for --role municipality");
        }
        return failures;
    }
}

/// <summary>Where a service listens: an IP address or host name and a port (0 picks a free one).</summary>
public sealed class ListenSetting
{
    public string Address { get; set; } = "127.0.0.1";
    public int Port { get; set; }

    internal void Validate(List<string> failures, string setting)
    {
        if (!NodeCertificateAuthority.IsHostNameOrAddress(Address)) failures.Add(setting + ":Address must be an IP address or host name");
        if (Port is < 0 or > 65535) failures.Add(setting + ":Port must be between 0 and 65535");
    }
}

/// <summary>The node's PEM files as <c>renkei pki init</c> writes them.</summary>
public sealed class TlsFiles
{
    /// <summary>The node certificate (its CN is the institution's code).</summary>
    public string? Certificate { get; set; }

    /// <summary>The certificate's private key.</summary>
    public string? Key { get; set; }

    /// <summary>The network CA's certificate: the only trust anchor.</summary>
    public string? Authority { get; set; }
}
