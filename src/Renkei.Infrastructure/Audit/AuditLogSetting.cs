using System.Globalization;

namespace Renkei.Infrastructure.Audit;

/// <summary>An audit log's checkpoint settings (<see cref="AuditLogOptions"/> as a setting).</summary>
public sealed class AuditLogSetting
{
    public int CheckpointInterval { get; set; } = AuditLogOptions.Default.CheckpointInterval;
    public int MaxGroupCommit { get; set; } = AuditLogOptions.Default.MaxGroupCommit;
    public int QueueCapacity { get; set; } = AuditLogOptions.Default.QueueCapacity;
    public TimeSpan CheckpointPeriod { get; set; } = AuditLogOptions.Default.CheckpointPeriod;

    public AuditLogOptions ToOptions() => new(CheckpointInterval, MaxGroupCommit, QueueCapacity) { CheckpointPeriod = CheckpointPeriod };

    /// <summary><paramref name="options"/> as configuration under <paramref name="section"/> (e.g. <c>Network:AuditLog</c>), for a composer's settings.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(string section, AuditLogOptions options) =>
    [
        new(section + ":" + nameof(CheckpointInterval), options.CheckpointInterval.ToString(CultureInfo.InvariantCulture)),
        new(section + ":" + nameof(MaxGroupCommit), options.MaxGroupCommit.ToString(CultureInfo.InvariantCulture)),
        new(section + ":" + nameof(QueueCapacity), options.QueueCapacity.ToString(CultureInfo.InvariantCulture)),
        new(section + ":" + nameof(CheckpointPeriod), options.CheckpointPeriod.ToString("c", CultureInfo.InvariantCulture)),
    ];
}
