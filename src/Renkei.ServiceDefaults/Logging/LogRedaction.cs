using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Renkei.ServiceDefaults.Logging;

/// <summary>
/// How log parameters are classified (Microsoft.Extensions.Compliance): a parameter of a <c>[LoggerMessage]</c> method
/// carrying one of these attributes is redacted before any log provider sees it.
/// </summary>
public static class RenkeiData
{
    public const string Taxonomy = "Renkei";

    /// <summary>Individual numbers, PINs, keys, passwords, cookies: erased (the log shows nothing of them).</summary>
    public static DataClassification Secret { get; } = new(Taxonomy, nameof(Secret));

    /// <summary>Names, addresses, dates of birth: erased.</summary>
    public static DataClassification Personal { get; } = new(Taxonomy, nameof(Personal));

    /// <summary>
    /// Identifiers of a person inside one institution (宛名番号, a holder's person id, a resident-record id): replaced by a
    /// keyed hash (HMAC-SHA256 with a key made at each start), so one run's entries about the same person can be followed
    /// without the identifier being in the log.
    /// </summary>
    public static DataClassification Identifier { get; } = new(Taxonomy, nameof(Identifier));
}

/// <summary>See <see cref="RenkeiData.Secret"/>.</summary>
public sealed class SecretDataAttribute() : DataClassificationAttribute(RenkeiData.Secret);

/// <summary>See <see cref="RenkeiData.Personal"/>.</summary>
public sealed class PersonalDataAttribute() : DataClassificationAttribute(RenkeiData.Personal);

/// <summary>See <see cref="RenkeiData.Identifier"/>.</summary>
public sealed class IdentifierDataAttribute() : DataClassificationAttribute(RenkeiData.Identifier);

/// <summary>Turns on redaction for every service's logs (<see cref="ServiceDefaultsExtensions.AddServiceDefaults"/>).</summary>
public static class LogRedaction
{
    internal static void Add(WebApplicationBuilder builder)
    {
        builder.Logging.EnableRedaction();
        builder.Services.AddRedaction(redaction =>
        {
            redaction.SetRedactor<ErasingRedactor>(new DataClassificationSet(RenkeiData.Secret), new DataClassificationSet(RenkeiData.Personal));
#pragma warning disable EXTEXP0002 // the HMAC redactor is marked experimental; its output format is all we rely on
            redaction.SetHmacRedactor(options =>
            {
                options.Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                options.KeyId = 1;
            }, new DataClassificationSet(RenkeiData.Identifier));
#pragma warning restore EXTEXP0002
            // Anything classified otherwise is erased too: an unknown classification is never written out.
            redaction.SetFallbackRedactor<ErasingRedactor>();
        });
    }
}
