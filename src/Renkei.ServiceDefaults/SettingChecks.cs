using Renkei.Core.Crypto;
using Renkei.Infrastructure;

namespace Renkei.ServiceDefaults;

/// <summary>
/// Checks the modules' option validators share. Each adds a failure that names the setting (<c>Section:Key</c>) and never
/// repeats the value: a database setting may hold a password.
/// </summary>
public static class SettingChecks
{
    /// <summary>A database setting: <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>.</summary>
    public static void CheckDatabase(List<string> failures, string setting, string? value)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (string.IsNullOrWhiteSpace(value))
            failures.Add($"{setting} is required (sqlite:<path> or postgres:<connection string>) unless the composer registers a database");
        else if (!Database.IsSetting(value))
            failures.Add($"{setting} must start with sqlite: or postgres: and name the database");
    }

    /// <summary>An address another institution is called at: absolute http or https.</summary>
    public static void CheckAddress(List<string> failures, string setting, Uri? address, bool required)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (address is null)
        {
            if (required) failures.Add($"{setting} is required");
        }
        else if (!address.IsAbsoluteUri || address.Scheme is not ("http" or "https"))
            failures.Add($"{setting} must be an absolute http or https address");
    }

    /// <summary>A pinned signing public key as <see cref="RequestSignature.ImportPublicKey"/> reads it (SubjectPublicKeyInfo, base64).</summary>
    public static bool IsPublicKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64)) return false;
        try
        {
            using var key = RequestSignature.ImportPublicKey(base64);
            return true;
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }
}
