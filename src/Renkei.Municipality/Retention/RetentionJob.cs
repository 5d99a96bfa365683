using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;

namespace Renkei.Municipality.Retention;

/// <summary>What one system deleted in a run.</summary>
public sealed record RetentionSystemReport(string SystemCode, int YearsAfterRelationshipEnded, long NumbersDeleted, long EntriesLogged);

public sealed record RetentionReport(DateOnly Date, IReadOnlyList<RetentionSystemReport> Systems)
{
    public long NumbersDeleted => Systems.Sum(s => s.NumbersDeleted);
}

/// <summary>
/// Deletion after the retention period (保管期間経過後の削除): each business system deletes the individual numbers whose
/// retention period has ended (its <see cref="RetentionPolicy"/>, counted from the end of the relationship), keeping its
/// own person ID and all non-number data, in one transaction per system. Every deletion is appended to the operation
/// log as <see cref="OperationAction.RetentionDeletion"/> by the actor <see cref="Actor"/>, naming the system and the
/// subject's addressee number — never the number.
/// <para>Each system records its deletions in its own table first and marks them logged after the log accepted them, so
/// a run that stopped between the two logs the rest on the next run (at worst an entry is logged twice, never lost).</para>
/// </summary>
public sealed class RetentionJob(MunicipalBusinessSystems systems)
{
    /// <summary>The operation log's staff id for the scheduled job.</summary>
    public const string Actor = "system-retention";

    /// <summary>
    /// Operation logs are kept five years (seed 001: 記録は５年間保存する). The log is append-only and tamper-evident, so this
    /// job deletes nothing from it, ever; an entry may be archived off line only after <see cref="OperationLogKeptUntil"/>.
    /// </summary>
    public const int OperationLogYears = 5;

    /// <summary>The last day an entry recorded on <paramref name="recordedOn"/> must still be in the ward's log.</summary>
    public static DateOnly OperationLogKeptUntil(DateOnly recordedOn) => recordedOn.AddYears(OperationLogYears);

    public RetentionReport Run(DateOnly date)
    {
        var recorder = systems.Addressee.Recorder;
        var reports = new List<RetentionSystemReport>();
        foreach (var system in systems.All)
        {
            var deleted = system.DeleteExpiredNumbers(date);
            var pending = system.UnloggedDeletions();
            if (pending.Count > 0)
            {
                var at = recorder.Clock.GetUtcNow();
                recorder.Log.AppendMany(pending.Select(d => new OperationLogEntry(Actor, at, recorder.Terminal, null, d.AddresseeNumber.ToInt64(),
                    OperationAction.RetentionDeletion, OperationResult.Success,
                    $"保管期間経過による個人番号の削除: {system.SystemCode} 宛名番号(業務) {d.PersonId}, 関係終了 {d.RelationshipEndedOn:yyyy-MM-dd}, 保管期間 {system.Retention.YearsAfterRelationshipEnded}年")));
                system.MarkLogged(pending);
            }
            reports.Add(new RetentionSystemReport(system.SystemCode, system.Retention.YearsAfterRelationshipEnded, deleted.Count, pending.Count));
        }
        return new RetentionReport(date, reports);
    }
}
