using System.Reflection;
using Renkei.Core.Pia;

namespace Renkei.Infrastructure.Pia;

/// <summary>
/// One institution's privacy-impact-assessment files and how to count their people (対象人数) in its own database: the inventory
/// embedded in the module (<c>policy/&lt;institution&gt;/pia-files*.json</c>) and fixed SQL per population code, so nothing from a
/// policy file reaches a query. J-LIS, the network, the intermediate servers and the holders each declare one
/// (<c>JlisPia</c>, <c>NetworkPia</c> …); the ward's files, with staff accounts and incident records, are <c>PiaAssessor</c>'s.
/// </summary>
public sealed class InstitutionPia
{
    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly Lazy<InstitutionPiaInventory> _inventory;
    private readonly IReadOnlyDictionary<string, string> _populations;
    private readonly SchemaComponent _schema;

    /// <param name="assembly">the module whose embedded resource <paramref name="resource"/> is the inventory.</param>
    /// <param name="populations">each population code the inventory may name, with the SQL that counts it (one scalar).</param>
    /// <param name="schema">the module's tables, created or upgraded before counting.</param>
    public InstitutionPia(Assembly assembly, string resource, IReadOnlyDictionary<string, string> populations, SchemaComponent schema)
    {
        _populations = populations;
        _schema = schema;
        _inventory = new(() => InstitutionPiaInventory.Parse(Read(assembly, resource), resource, [.. populations.Keys]));
    }

    /// <summary>The embedded inventory, checked (a <see cref="Core.Policy.PolicyFileException"/> names the file and line).</summary>
    public InstitutionPiaInventory Inventory => _inventory.Value;

    /// <summary>Start-up validation: adds a failure naming the inventory's file and line when it cannot be used.</summary>
    public void Check(ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        try
        {
            _ = Inventory;
        }
        catch (Core.Policy.PolicyFileException e)
        {
            failures.Add("the privacy-impact-assessment inventory (特定個人情報ファイルの一覧) cannot be used: " + e.Message);
        }
    }

    /// <summary>Every file of the inventory with today's figures from <paramref name="database"/>.</summary>
    public IReadOnlyList<InstitutionPiaFigures> Assess(Database database, AssessmentThresholds? thresholds = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Migrations.Apply(database, _schema);
        var today = DateOnly.FromDateTime((clock ?? TimeProvider.System).GetUtcNow().ToOffset(JapanOffset).DateTime);
        using var connection = database.Open();
        return Inventory.Assess(population => connection.Command(_populations[population]).ScalarInt64(), thresholds ?? AssessmentThresholds.Law, today);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded policy file {resource} is missing");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
