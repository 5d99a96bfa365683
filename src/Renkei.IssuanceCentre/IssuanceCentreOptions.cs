using System.Globalization;
using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.ServiceDefaults;

namespace Renkei.IssuanceCentre;

/// <summary>
/// How the certificate issuance centre (証明書交付センター) runs: the configuration section <see cref="Section"/>
/// (<c>IssuanceCentre:Code</c> …). The centre is an institution registered at J-LIS (role <c>IssuanceCentre</c>) with its
/// signing key in <see cref="KeyDirectory"/> (created on first use); every participating ward pins that key
/// (<c>Ward:IssuanceCentre</c>), and the centre pins each kiosk's (<see cref="Kiosks"/>). What is not configuration comes from
/// the container: the <see cref="Infrastructure.Database"/> (else <see cref="Database"/>), the clock, the mutual TLS of its
/// outgoing calls and, for tests, an <see cref="IssuanceCentreOutgoingHandler"/>.
/// </summary>
public sealed class IssuanceCentreOptions
{
    public const string Section = "IssuanceCentre";

    /// <summary>The centre's institution code at J-LIS and the wards (6–8 of 0-9 and A-Z; the demo's is <c>ISSUANCE</c>); challenges name it.</summary>
    public string? Code { get; set; }

    /// <summary>The centre's own database (its transaction log): <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>.</summary>
    public string? Database { get; set; }

    /// <summary>The centre's institution keys (signing.key, sealing.key; mode 600).</summary>
    public string? KeyDirectory { get; set; }

    /// <summary>J-LIS's base address (JPKI certificates and status; the holder lookup).</summary>
    public Uri? JlisAddress { get; set; }

    /// <summary>The wards taking part in convenience-store issuance, and where their issuance server is (<c>IssuanceCentre:Wards:0:Code</c> …).</summary>
    public List<CentreWard> Wards { get; set; } = [];

    /// <summary>The kiosks the centre serves, each pinned by code and signing public key (<c>IssuanceCentre:Kiosks:0:Code</c> …).</summary>
    public List<PinnedKiosk> Kiosks { get; set; } = [];

    /// <summary>A kiosk session unused this long ends (the contract's five minutes).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the centre waits for J-LIS and for a ward's issuance server.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A participating ward: its local government code, its name (品川区) and the base address of its issuance server.</summary>
public sealed class CentreWard
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public Uri? Address { get; set; }
}

/// <summary>A kiosk pinned by the centre: its code and its signing public key (SubjectPublicKeyInfo, base64).</summary>
public sealed class PinnedKiosk
{
    public string? Code { get; set; }
    public string? PublicKey { get; set; }
}

/// <summary>Makes the handler under the centre's outgoing requests (tests); without one: the mutual TLS handler when registered, else plain sockets.</summary>
public sealed record IssuanceCentreOutgoingHandler(Func<HttpMessageHandler> Create);

/// <summary>Checks <see cref="IssuanceCentreOptions"/> at start; each failure names the setting and never repeats its value.</summary>
internal sealed class IssuanceCentreOptionsValidator(bool databaseRegistered) : IValidateOptions<IssuanceCentreOptions>
{
    private const string S = IssuanceCentreOptions.Section;

    public ValidateOptionsResult Validate(string? name, IssuanceCentreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Code)) failures.Add($"{S}:Code is required (the centre's institution code)");
        else if (!InstitutionCodes.IsValid(options.Code)) failures.Add($"{S}:Code must be 6–8 of 0-9 and A-Z");
        if (!databaseRegistered) SettingChecks.CheckDatabase(failures, $"{S}:Database", options.Database);
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add($"{S}:KeyDirectory is required (the centre's institution keys)");
        SettingChecks.CheckAddress(failures, $"{S}:JlisAddress", options.JlisAddress, required: true);
        if (options.SessionIdleTimeout <= TimeSpan.Zero) failures.Add($"{S}:SessionIdleTimeout must be positive");
        if (options.CallTimeout <= TimeSpan.Zero) failures.Add($"{S}:CallTimeout must be positive");
        var wards = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Wards.Count; i++)
        {
            var setting = $"{S}:Wards:{i.ToString(CultureInfo.InvariantCulture)}";
            var ward = options.Wards[i];
            if (!LocalGovernmentCode.Parse(ward.Code).IsValid) failures.Add($"{setting}:Code is not a local government code (6 digits with the check digit)");
            else if (!wards.Add(ward.Code!)) failures.Add($"{setting}:Code names a ward already listed");
            if (string.IsNullOrWhiteSpace(ward.Name)) failures.Add($"{setting}:Name is required (the ward's name)");
            SettingChecks.CheckAddress(failures, $"{setting}:Address", ward.Address, required: true);
        }
        var kiosks = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Kiosks.Count; i++)
        {
            var setting = $"{S}:Kiosks:{i.ToString(CultureInfo.InvariantCulture)}";
            var kiosk = options.Kiosks[i];
            if (string.IsNullOrWhiteSpace(kiosk.Code)) failures.Add($"{setting}:Code is required");
            else if (!InstitutionCodes.IsKiosk(kiosk.Code)) failures.Add($"{setting}:Code must be 1–32 of A–Z a–z 0–9 . _ : -");
            else if (!kiosks.Add(kiosk.Code)) failures.Add($"{setting}:Code names a kiosk already pinned");
            if (!SettingChecks.IsPublicKey(kiosk.PublicKey)) failures.Add($"{setting}:PublicKey is not an EC public key (SubjectPublicKeyInfo, base64)");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The codes the centre's settings name.</summary>
internal static partial class InstitutionCodes
{
    /// <summary>An institution code as J-LIS's registry has it: 6–8 of 0-9 and A-Z.</summary>
    public static bool IsValid(string? code) => code is not null && Pattern().IsMatch(code);

    /// <summary>A kiosk terminal's code (<c>Kiosk:Code</c>): 1–32 of A–Z a–z 0–9 . _ : -.</summary>
    public static bool IsKiosk(string? code) => code is not null && KioskPattern().IsMatch(code);

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._:-]{1,32}$")]
    private static partial System.Text.RegularExpressions.Regex KioskPattern();
}
