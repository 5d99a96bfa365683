using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.StaffConsole;

/// <summary>
/// The ward's staff console as configured (section <see cref="Section"/>, e.g. <c>StaffConsole:WardName</c>). The composer
/// registers what is not configuration before <see cref="StaffConsoleModule.AddStaffConsole"/>: the ward's
/// <see cref="StaffDirectory"/> and <see cref="OperationLog"/> (shared with the ward's service in one process), and
/// optionally a <see cref="Infrastructure.Database"/>, a <see cref="TimeProvider"/> and <see cref="StaffConsoleOutgoing"/>.
/// </summary>
public sealed class StaffConsoleOptions
{
    public const string Section = "StaffConsole";

    /// <summary>The ward's own database (its resident register): <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>; not needed when the composer registers a database.</summary>
    public string? Database { get; set; }

    /// <summary>The ward's local government code (6 digits with the check digit), e.g. 131091.</summary>
    public string? Municipality { get; set; }

    /// <summary>Shown in every page header, e.g. 品川区.</summary>
    public string? WardName { get; set; }

    /// <summary>The ward's head as printed on notices and certificates (issuer, 審査請求先); null: the ward's name and 長 (品川区長).</summary>
    public string? MayorTitle { get; set; }

    /// <summary>The fee of one copy of a certificate issued at the counter, in yen (品川区: 300).</summary>
    public int CertificateFee { get; set; } = 300;

    /// <summary>
    /// The ward's key directory holding its certificate-signing key and the certificate J-LIS issued for it (docs/paper.md): every
    /// certificate the console issues is signed, and refused while there is none. null: a ward without the CA (certificates carry no code).
    /// </summary>
    public string? CertificateSigningKeyDirectory { get; set; }

    /// <summary>A session unused this long is closed; the staff member logs in again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The monthly operation-log review (操作記録の検査・分析) lists a staff member's day with more person views and searches than this.</summary>
    public int ReviewPersonViewsPerDay { get; set; } = 100;

    /// <summary>
    /// The ward's own intermediate server (中間サーバー), through which the attachment-omission workflows ask the network
    /// for linked data and read the linkages the network's policy offers. Null: the application pages still open, decide
    /// and export, but offer no linkage and say why.
    /// </summary>
    public Uri? IntermediateAddress { get; set; }

    /// <summary>
    /// The ward's institution key directory (<c>signing.key</c>): the console calls the intermediate server as the ward,
    /// its requests signed with the ward's key. Required with <see cref="IntermediateAddress"/>.
    /// </summary>
    public string? InstitutionKeyDirectory { get; set; }

    /// <summary>How long to wait for the intermediate server (a linkage includes the network's round trip).</summary>
    public TimeSpan IntermediateTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>What the console's calls to the ward's intermediate server are made with besides settings, registered by the composer.</summary>
public sealed record StaffConsoleOutgoing
{
    /// <summary>Builds the handler under the signed client for the intermediate server (e.g. mutual TLS); null: plain sockets.</summary>
    public Func<HttpMessageHandler>? IntermediateHandler { get; init; }
}

/// <summary>
/// Checks <see cref="StaffConsoleOptions"/> at start: each failure names the setting (or the registration) that is wrong and
/// never repeats a value that could be secret (a database setting may hold a password).
/// </summary>
internal sealed class StaffConsoleOptionsValidator(bool databaseRegistered, IServiceProvider services) : IValidateOptions<StaffConsoleOptions>
{
    private const string S = StaffConsoleOptions.Section;

    public ValidateOptionsResult Validate(string? name, StaffConsoleOptions options)
    {
        var failures = new List<string>();
        if (!databaseRegistered) SettingChecks.CheckDatabase(failures, $"{S}:Database", options.Database);
        var code = LocalGovernmentCode.Parse(options.Municipality);
        if (string.IsNullOrWhiteSpace(options.Municipality)) failures.Add($"{S}:Municipality is required (the ward's local government code)");
        else if (!code.IsValid) failures.Add($"{S}:Municipality is not a local government code (6 digits with the check digit)");
        if (string.IsNullOrWhiteSpace(options.WardName)) failures.Add($"{S}:WardName is required (shown in every page header)");
        if (options.CertificateFee < 0) failures.Add($"{S}:CertificateFee must not be negative");
        if (options.IdleTimeout <= TimeSpan.Zero) failures.Add($"{S}:IdleTimeout must be positive");
        SettingChecks.CheckAddress(failures, $"{S}:IntermediateAddress", options.IntermediateAddress, required: false);
        if (options.IntermediateAddress is not null && string.IsNullOrWhiteSpace(options.InstitutionKeyDirectory))
            failures.Add($"{S}:InstitutionKeyDirectory is required with {S}:IntermediateAddress (the console calls the intermediate server as the ward)");
        if (options.IntermediateTimeout <= TimeSpan.Zero) failures.Add($"{S}:IntermediateTimeout must be positive");

        if (services.GetService(typeof(StaffDirectory)) is null)
            failures.Add($"{S}: no StaffDirectory is registered (the composer opens the ward's staff directory and registers it before AddStaffConsole)");
        if (services.GetService(typeof(OperationLog)) is not OperationLog log)
            failures.Add($"{S}: no OperationLog is registered (the composer opens the ward's operation log and registers it before AddStaffConsole)");
        else if (code.IsValid && log.Municipality != code.Value)
            failures.Add($"{S}:Municipality is not the municipality of the registered operation log");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
