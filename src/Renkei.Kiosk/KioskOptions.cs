using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Renkei.ServiceDefaults;

namespace Renkei.Kiosk;

/// <summary>
/// How a kiosk terminal (キオスク端末) runs: the configuration section <see cref="Section"/>. The kiosk is known to the
/// issuance centre by <see cref="Code"/> and the signing key in <see cref="KeyDirectory"/> (created on first use; the
/// centre pins its public half). It keeps no database and nothing of a transaction after it ends: see
/// <see cref="KioskTerminal"/>. What is not configuration comes from the container: the clock, the mutual TLS of its
/// calls (<see cref="ServiceDefaults.Tls.MutualTls"/>), a <see cref="KioskOutgoingHandler"/> (tests) and the printer
/// (<see cref="IKioskPrinter"/>).
/// </summary>
public sealed partial class KioskOptions
{
    public const string Section = "Kiosk";

    /// <summary>The terminal's id at the centre and in the wards' operation logs (1–32 of A–Z a–z 0–9 . _ : -).</summary>
    public string Code { get; set; } = "";

    /// <summary>Where it stands, shown on the screen (e.g. 品川駅前店).</summary>
    public string Location { get; set; } = "";

    /// <summary>The kiosk's keys (signing.key signs its requests to the centre; mode 600).</summary>
    public string KeyDirectory { get; set; } = "";

    /// <summary>The issuance centre's base address.</summary>
    public Uri? CentreAddress { get; set; }

    /// <summary>The issuance centre's code (the audience of the kiosk's signed requests).</summary>
    public string CentreCode { get; set; } = "";

    /// <summary>A transaction untouched this long is ended and everything of it erased (the screen goes back to the start).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How long the kiosk waits for the centre (which waits for J-LIS and the ward).</summary>
    public TimeSpan CentreTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,32}$")]
    internal static partial Regex CodeForm();
}

/// <summary>Makes the handler for the kiosk's requests to the centre (tests); without one: mutual TLS when registered, else plain sockets.</summary>
public sealed record KioskOutgoingHandler(Func<HttpMessageHandler> Create);

/// <summary>Checks <see cref="KioskOptions"/> at start; each failure names the setting and never repeats its value.</summary>
internal sealed class KioskOptionsValidator : IValidateOptions<KioskOptions>
{
    public ValidateOptionsResult Validate(string? name, KioskOptions options)
    {
        const string s = KioskOptions.Section;
        var failures = new List<string>();
        if (!KioskOptions.CodeForm().IsMatch(options.Code)) failures.Add($"{s}:Code is required: 1–32 of A–Z a–z 0–9 . _ : -");
        if (string.IsNullOrWhiteSpace(options.Location)) failures.Add($"{s}:Location is required: where the kiosk stands, shown on its screen");
        if (string.IsNullOrWhiteSpace(options.KeyDirectory)) failures.Add($"{s}:KeyDirectory is required");
        SettingChecks.CheckAddress(failures, $"{s}:CentreAddress", options.CentreAddress, required: true);
        if (string.IsNullOrWhiteSpace(options.CentreCode)) failures.Add($"{s}:CentreCode is required: the issuance centre's code");
        if (options.IdleTimeout <= TimeSpan.Zero) failures.Add($"{s}:IdleTimeout must be positive");
        if (options.CentreTimeout <= TimeSpan.Zero) failures.Add($"{s}:CentreTimeout must be positive");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
