using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.Municipality.Service;

/// <summary>
/// How to run one municipality's node.
/// </summary>
/// <param name="Jlis">J-LIS's address and the ward's institution key directory (requests to J-LIS are signed as the ward).</param>
/// <param name="Staff">The ward's staff accounts; its <see cref="StaffDirectory.Catalogue"/> is the affair catalogue the service decides number use with.</param>
/// <param name="OperationLog">
/// The ward's operation log opened for writing (<see cref="Audit.OperationLog.Open"/>, in the CLI
/// <c>AuditCommands.OpenOperationLog(layout, code)</c>). The caller owns it (it may share it with the ward's staff console
/// in the same process) and disposes it after the service.
/// </param>
public sealed record MunicipalityServiceOptions(
    Database Database,
    LocalGovernmentCode Code,
    string Name,
    WardJlisOptions Jlis,
    StaffDirectory Staff,
    OperationLog OperationLog,
    int Port = 0,
    string Address = "127.0.0.1")
{
    /// <summary>The clock for logins (TOTP), session expiry, the day number use is decided for, and log times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A session unused this long ends (sliding: every request extends it).</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Mutual TLS on the network CA's certificates (deployments): the service listens with it and calls J-LIS with the
    /// ward's certificate; null: plain HTTP. The caller disposes it.
    /// </summary>
    public MutualTls? Tls { get; init; }

    /// <summary>Serves the browsable API reference page (<see cref="ServiceHostOptions.ApiReference"/>): the demo.</summary>
    public bool ApiReference { get; init; }

    /// <summary>
    /// The ward as an institution on the network (符号取得): with it, a birth or arrival that records a person's number also
    /// acquires the ward's token for the person (<see cref="Tokens.NewResidentTokens"/>); null: no tokens are acquired.
    /// Without its own <see cref="WardTokenOptions.OutgoingHandler"/> it uses <see cref="Tls"/>.
    /// </summary>
    public WardTokenOptions? Tokens { get; init; }

    /// <summary>
    /// The citizen portals (マイナポータル) whose forwarded e-applications the ward's inbox takes: each portal's code and signing
    /// public key, pinned here as an intermediate server pins the network's. The portal is identified by its request
    /// signature (and its node certificate when deployed) before the resident's own signature is checked; empty: the
    /// inbox answers 503 <c>institution-calls-not-configured</c>.
    /// </summary>
    public IReadOnlyList<KnownInstitution> EApplicationPortals { get; init; } = [];

    /// <summary>The instances a composer registers (<see cref="WardModule.AddWard"/> reads them from the container).</summary>
    internal void AddInstances(IServiceCollection services)
    {
        services.AddSingleton(Database);
        services.AddSingleton(Staff);
        services.AddSingleton(OperationLog);
        services.AddSingleton(Clock);
        if (Tls is { } tls) services.AddSingleton(tls);
        services.AddSingleton(new WardOutgoing
        {
            JlisHandler = Jlis.OutgoingHandler, JlisClock = Jlis.Clock,
            TokenHandler = Tokens?.OutgoingHandler, TokenClock = Tokens?.Clock ?? TimeProvider.System,
        });
    }

    /// <summary>The record's configuration as <see cref="WardOptions"/> settings.</summary>
    internal Dictionary<string, string?> ToSettings()
    {
        const string S = WardOptions.Section;
        var settings = new Dictionary<string, string?>
        {
            [$"{S}:Code"] = Code.Digits,
            [$"{S}:Name"] = Name,
            [$"{S}:SessionIdleTimeout"] = Setting(SessionIdleTimeout),
            [$"{S}:JlisAddress"] = Jlis.Address.OriginalString,
            [$"{S}:KeyDirectory"] = Jlis.KeyDirectory,
            [$"{S}:JlisTimeout"] = Setting(Jlis.Timeout),
        };
        if (Tokens is { } tokens)
        {
            settings[$"{S}:Tokens:IntermediateAddress"] = tokens.IntermediateAddress.OriginalString;
            settings[$"{S}:Tokens:JlisAddress"] = tokens.JlisAddress.OriginalString;
            settings[$"{S}:Tokens:KeyDirectory"] = tokens.KeyDirectory;
            settings[$"{S}:Tokens:Timeout"] = Setting(tokens.Timeout);
        }
        for (var i = 0; i < EApplicationPortals.Count; i++)
        {
            var portal = EApplicationPortals[i];
            if (portal.Class != MunicipalityService.EApplicationPortalClass)
                throw new ArgumentException($"an e-application portal is of the class {MunicipalityService.EApplicationPortalClass}", nameof(EApplicationPortals));
            settings[$"{S}:EApplicationPortals:{i}:Code"] = portal.Code;
            settings[$"{S}:EApplicationPortals:{i}:PublicKey"] = Convert.ToBase64String(portal.SigningKey.ExportSubjectPublicKeyInfo());
        }
        return settings;
    }

    private static string Setting(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
