namespace Renkei.Network.Policy;

/// <summary>
/// A linkage policy file that cannot be used. The message names the file and, where the problem sits in one place,
/// the line (1-based) — the network refuses to start with it, so the operator can go straight to the bad row.
/// </summary>
public sealed class PolicyValidationException(string file, int? line, string problem)
    : Exception(line is null ? $"{file}: {problem}" : $"{file} line {line}: {problem}")
{
    /// <summary>The file (a path, or <c>policy/network/&lt;name&gt;</c> for the embedded policy).</summary>
    public string File { get; } = file;

    /// <summary>The line of the offending row or header; null when the problem is the file as a whole.</summary>
    public int? Line { get; } = line;

    /// <summary>What is wrong, without file and line.</summary>
    public string Problem { get; } = problem;
}
