using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.Country;

/// <summary>
/// What a ward's API and its staff console share in one process: one staff directory and one operation log on the ward's
/// database (a country's ward, a <c>renkei serve --role municipality</c> process). Disposing closes the operation log.
/// </summary>
internal sealed class WardApplication : IAsyncDisposable
{
    private WardApplication(Database database, StaffDirectory staff, OperationLog operationLog) =>
        (Database, Staff, OperationLog) = (database, staff, operationLog);

    public Database Database { get; }
    public StaffDirectory Staff { get; }
    public OperationLog OperationLog { get; }

    /// <summary>Opens the staff directory (TOTP secrets under <paramref name="totpKeyFile"/>) and the operation log (checkpoints signed with <paramref name="auditKeyFile"/>).</summary>
    public static WardApplication Open(Database database, LocalGovernmentCode code, string totpKeyFile, string auditKeyFile,
        StaffDirectoryOptions? staffOptions = null, AuditLogOptions? auditLog = null) =>
        new(database, new StaffDirectory(database, AffairCatalogue.LoadDefault(), totpKeyFile, staffOptions), OperationLog.Open(database, code, auditKeyFile, auditLog));

    /// <summary>Registers the database, the staff directory and the operation log before the module adds itself.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton(Database);
        services.AddSingleton(Staff);
        services.AddSingleton(OperationLog);
    }

    public ValueTask DisposeAsync() => OperationLog.DisposeAsync();
}
