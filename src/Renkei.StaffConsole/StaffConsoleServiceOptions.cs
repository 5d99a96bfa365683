using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole;

/// <summary>
/// How to run one ward's staff console (職員用画面) with <see cref="StaffConsoleService.StartAsync"/>.
/// </summary>
/// <param name="Database">The ward's own database (its resident register).</param>
/// <param name="Municipality">The ward's local government code.</param>
/// <param name="WardName">Shown in every page header, e.g. 品川区.</param>
/// <param name="Staff">The ward's staff accounts; its <see cref="StaffDirectory.Catalogue"/> is the affair catalogue the console uses.</param>
/// <param name="OperationLog">
/// The ward's operation log, opened for writing (<see cref="OperationLog.Open"/>). The caller owns it (and may share it with
/// the ward's other services in the same process) and disposes it after the console.
/// </param>
public sealed record StaffConsoleServiceOptions(
    Database Database,
    LocalGovernmentCode Municipality,
    string WardName,
    StaffDirectory Staff,
    OperationLog OperationLog)
{
    /// <summary>The clock for logins (TOTP), session expiry, the day number use is decided for, and log times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public string Address { get; init; } = "127.0.0.1";

    /// <summary>A session unused this long is closed; the staff member logs in again.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The ward's own intermediate server (中間サーバー), through which the attachment-omission workflows ask the network
    /// for linked data and read the linkages the network's policy offers. Null: the application pages still open, decide
    /// and export, but offer no linkage and say why.
    /// </summary>
    public Uri? IntermediateAddress { get; init; }

    /// <summary>
    /// The ward's institution key directory (<c>signing.key</c>): the console calls the intermediate server as the ward,
    /// its requests signed with the ward's key. Required with <see cref="IntermediateAddress"/>.
    /// </summary>
    public string? InstitutionKeyDirectory { get; init; }

    /// <summary>Builds the handler under the signed client for <see cref="IntermediateAddress"/> (e.g. mutual TLS); plain sockets when null.</summary>
    public Func<HttpMessageHandler>? IntermediateHandler { get; init; }

    /// <summary>The instances a composer registers (<see cref="StaffConsoleModule.AddStaffConsole"/> reads them from the container).</summary>
    internal void AddInstances(IServiceCollection services)
    {
        services.AddSingleton(Database);
        services.AddSingleton(Staff);
        services.AddSingleton(OperationLog);
        services.AddSingleton(Clock);
        services.AddSingleton(new StaffConsoleOutgoing { IntermediateHandler = IntermediateHandler });
    }

    /// <summary>The record's configuration as <see cref="StaffConsoleOptions"/> settings.</summary>
    internal Dictionary<string, string?> ToSettings()
    {
        const string S = StaffConsoleOptions.Section;
        var settings = new Dictionary<string, string?>
        {
            [$"{S}:Municipality"] = Municipality.Digits,
            [$"{S}:WardName"] = WardName,
            [$"{S}:IdleTimeout"] = IdleTimeout.ToString("c", CultureInfo.InvariantCulture),
        };
        if (IntermediateAddress is not null) settings[$"{S}:IntermediateAddress"] = IntermediateAddress.OriginalString;
        if (InstitutionKeyDirectory is not null) settings[$"{S}:InstitutionKeyDirectory"] = InstitutionKeyDirectory;
        return settings;
    }
}
