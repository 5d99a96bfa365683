using Renkei.Core.Policy;
using System.Globalization;
using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Service;

/// <summary>
/// The ward's service as configured (section <see cref="Section"/>, e.g. <c>Ward:Code</c>). The composer registers what
/// is not configuration before <see cref="WardModule.AddWard"/>: the ward's <see cref="StaffDirectory"/> and
/// <see cref="OperationLog"/> (shared with the ward's staff console in one process), and optionally a
/// <see cref="Infrastructure.Database"/>, a <see cref="TimeProvider"/>, mutual TLS and <see cref="WardOutgoing"/>.
/// </summary>
public sealed class WardOptions
{
    public const string Section = "Ward";

    /// <summary>The ward's own database: <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>; not needed when the composer registers a database.</summary>
    public string? Database { get; set; }

    /// <summary>The ward's local government code (6 digits with the check digit), e.g. 131091.</summary>
    public string? Code { get; set; }

    /// <summary>The ward's name, e.g. 品川区 (the health check shows it).</summary>
    public string? Name { get; set; }

    /// <summary>The ward's head as printed on certificates (issuer); null: the ward's name and 長 (品川区長).</summary>
    public string? MayorTitle { get; set; }

    /// <summary>The fee of one copy of a certificate issued through the staff API, in yen (品川区: 300), as at the counter.</summary>
    public int CertificateFee { get; set; } = 300;

    /// <summary>
    /// Sign every certificate (the 2D code, docs/paper.md) with the ward's certificate-signing key, whose certificate the ward
    /// obtains from J-LIS's certificate-signing CA (at start, or at the first certificate) and keeps in <see cref="KeyDirectory"/>;
    /// without one no certificate is issued. false only for a country whose J-LIS runs no CA (numbering only): certificates then
    /// carry no code.
    /// </summary>
    public bool SignCertificates { get; set; } = true;

    /// <summary>A staff API session unused this long ends (sliding: every request extends it).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>J-LIS's address (住基ネット); requests to it are signed as the ward.</summary>
    public Uri? JlisAddress { get; set; }

    /// <summary>
    /// The directory of the ward's institution keys (signing.key, sealing.key; created on first use, mode 600; in the CLI
    /// <c>DataLayout.MunicipalityInstitutionKeyDirectory</c>). J-LIS must have the ward registered with its signing key.
    /// </summary>
    public string? KeyDirectory { get; set; }

    /// <summary>How long to wait for J-LIS.</summary>
    public TimeSpan JlisTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The ward as an institution on the network (符号取得): with it, a birth or arrival that records a person's number also
    /// acquires the ward's token for the person; without it (no <c>Ward:Tokens:IntermediateAddress</c>) no tokens are acquired.
    /// </summary>
    public WardTokenSettings Tokens { get; set; } = new();

    /// <summary>
    /// The citizen portals (マイナポータル) whose forwarded e-applications the ward's inbox takes, each pinned by code and
    /// signing public key. The portal is identified by its request signature (and its node certificate when deployed)
    /// before the resident's own signature is checked; none: the inbox answers 503 <c>institution-calls-not-configured</c>.
    /// </summary>
    public List<PinnedPortal> EApplicationPortals { get; set; } = [];

    /// <summary>
    /// The certificate issuance centre (証明書交付センター, J-LIS) whose kiosk requests the ward's issuance server answers,
    /// pinned by code and signing public key like <see cref="EApplicationPortals"/> (<c>Ward:IssuanceCentre:Code</c>,
    /// <c>Ward:IssuanceCentre:PublicKey</c>); null: no one may call the kiosk routes.
    /// </summary>
    public PinnedPortal? IssuanceCentre { get; set; }

    /// <summary>The ward's kiosk service (section <c>Ward:Kiosk</c>): hours, holidays, maintenance and menu.</summary>
    public WardKioskSettings Kiosk { get; set; } = new();

    /// <summary>
    /// The register and business systems feeding the ward's own intermediate server (<see cref="Business.WardCopyFeed"/>),
    /// section <c>Ward:CopyFeed</c>. It runs when <c>Ward:Tokens:IntermediateAddress</c> names that server.
    /// </summary>
    public WardCopyFeedSettings CopyFeed { get; set; } = new();
}

/// <summary>The ward's kiosk service data (section <c>Ward:Kiosk</c>).</summary>
public sealed class WardKioskSettings
{
    /// <summary>
    /// The ward's own kiosk service file (the format of policy/municipality/kiosk-service-shinagawa.json, checked at start
    /// naming the file and line); null: the file shipped with the module (all four certificates, 06:30–23:00).
    /// </summary>
    public string? File { get; set; }

    /// <summary>
    /// DEMO AND TESTS ONLY: the service hours are decided as if the time were later by this much (<c>renkei demo
    /// --kiosk-clock</c>: try the hours at any time of day); issuance times and everything else stay on the real clock.
    /// </summary>
    public TimeSpan ClockShift { get; set; }
}

/// <summary>The copy feed to the ward's intermediate server (section <c>Ward:CopyFeed</c>).</summary>
public sealed class WardCopyFeedSettings
{
    /// <summary>False: the service sends no copies itself (another process of the ward's does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often it looks for changes made elsewhere (the console, the CLI) and retries after a failure; the service's own register events are sent at once.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>How the ward acquires its tokens (section <c>Ward:Tokens</c>).</summary>
public sealed class WardTokenSettings
{
    /// <summary>The ward's own intermediate server (where the network delivers the tokens); null: no tokens are acquired.</summary>
    public Uri? IntermediateAddress { get; set; }

    /// <summary>J-LIS's address for token requests; null: <see cref="WardOptions.JlisAddress"/>.</summary>
    public Uri? JlisAddress { get; set; }

    /// <summary>The ward's institution key directory for token requests; null: <see cref="WardOptions.KeyDirectory"/>.</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>How long to wait for J-LIS (a batch includes the network's delivery) and the intermediate server.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>A citizen portal pinned by the ward: its institution code and signing public key (SubjectPublicKeyInfo, base64).</summary>
public sealed class PinnedPortal
{
    public string? Code { get; set; }
    public string? PublicKey { get; set; }
}

/// <summary>
/// What the ward's calls to J-LIS and to its intermediate server are made with besides settings, registered by the composer
/// (the default: the registered mutual TLS's handler, else plain sockets, and the wall clock).
/// </summary>
public sealed record WardOutgoing
{
    /// <summary>Makes the handler under the signed J-LIS client; null: the registered mutual TLS's, else a plain <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? JlisHandler { get; init; }

    /// <summary>The clock J-LIS request signatures are made with (J-LIS checks them against its wall clock).</summary>
    public TimeProvider JlisClock { get; init; } = TimeProvider.System;

    /// <summary>Makes the handlers for token requests (J-LIS and the intermediate server); null: as <see cref="JlisHandler"/> would default.</summary>
    public Func<HttpMessageHandler>? TokenHandler { get; init; }

    /// <summary>The clock token request signatures are made with.</summary>
    public TimeProvider TokenClock { get; init; } = TimeProvider.System;
}

/// <summary>
/// Checks <see cref="WardOptions"/> at start: each failure names the setting (or the registration) that is wrong and never
/// repeats a value that could be secret (a database setting may hold a password).
/// </summary>
internal sealed class WardOptionsValidator(bool databaseRegistered, IServiceProvider services) : IValidateOptions<WardOptions>
{
    private const string S = WardOptions.Section;

    public ValidateOptionsResult Validate(string? name, WardOptions options)
    {
        var failures = new List<string>();
        if (!databaseRegistered)
            SettingChecks.CheckDatabase(failures, $"{S}:Database", options.Database);
        var code = LocalGovernmentCode.Parse(options.Code);
        if (string.IsNullOrWhiteSpace(options.Code)) failures.Add($"{S}:Code is required (the ward's local government code)");
        else if (!code.IsValid) failures.Add($"{S}:Code is not a local government code (6 digits with the check digit)");
        if (string.IsNullOrWhiteSpace(options.Name)) failures.Add($"{S}:Name is required (the ward's name)");
        if (options.CertificateFee < 0) failures.Add($"{S}:CertificateFee must not be negative");
        if (options.SessionIdleTimeout <= TimeSpan.Zero) failures.Add($"{S}:SessionIdleTimeout must be positive");
        SettingChecks.CheckAddress(failures, $"{S}:JlisAddress", options.JlisAddress, required: true);
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add($"{S}:KeyDirectory is required (the ward's institution keys)");
        if (options.JlisTimeout <= TimeSpan.Zero) failures.Add($"{S}:JlisTimeout must be positive");
        var tokens = options.Tokens;
        SettingChecks.CheckAddress(failures, $"{S}:Tokens:IntermediateAddress", tokens.IntermediateAddress, required: false);
        SettingChecks.CheckAddress(failures, $"{S}:Tokens:JlisAddress", tokens.JlisAddress, required: false);
        if (tokens.Timeout <= TimeSpan.Zero) failures.Add($"{S}:Tokens:Timeout must be positive");
        if (options.CopyFeed.Interval <= TimeSpan.Zero) failures.Add($"{S}:CopyFeed:Interval must be positive");
        CheckPortals(failures, options.EApplicationPortals);
        CheckIssuanceCentre(failures, options);
        if (options.Kiosk.File is { } kioskFile)
        {
            try
            {
                Kiosk.KioskServiceRules.Load(kioskFile);
            }
            catch (PolicyFileException e)
            {
                failures.Add($"{S}:Kiosk:File: {e.Message}");
            }
        }

        if (services.GetService(typeof(StaffDirectory)) is null)
            failures.Add($"{S}: no StaffDirectory is registered (the composer opens the ward's staff directory and registers it before AddWard)");
        if (services.GetService(typeof(OperationLog)) is not OperationLog log)
            failures.Add($"{S}: no OperationLog is registered (the composer opens the ward's operation log and registers it before AddWard)");
        else if (code.IsValid && log.Municipality != code.Value)
            failures.Add($"{S}:Code is not the municipality of the registered operation log");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckIssuanceCentre(List<string> failures, WardOptions options)
    {
        if (options.IssuanceCentre is not { } centre) return;
        if (string.IsNullOrWhiteSpace(centre.Code)) failures.Add($"{S}:IssuanceCentre:Code is required");
        else if (options.EApplicationPortals.Any(p => p.Code == centre.Code))
            failures.Add($"{S}:IssuanceCentre:Code names a pinned e-application portal (the centre is its own institution)");
        if (!SettingChecks.IsPublicKey(centre.PublicKey))
            failures.Add($"{S}:IssuanceCentre:PublicKey is not an EC public key (SubjectPublicKeyInfo, base64)");
    }

    private static void CheckPortals(List<string> failures, List<PinnedPortal> portals)
    {
        var codes = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < portals.Count; i++)
        {
            var setting = $"{S}:EApplicationPortals:{i.ToString(CultureInfo.InvariantCulture)}";
            var portal = portals[i];
            if (string.IsNullOrWhiteSpace(portal.Code)) failures.Add($"{setting}:Code is required");
            else if (!codes.Add(portal.Code)) failures.Add($"{setting}:Code names a portal already pinned");
            if (!SettingChecks.IsPublicKey(portal.PublicKey))
                failures.Add($"{setting}:PublicKey is not an EC public key (SubjectPublicKeyInfo, base64)");
        }
    }
}
