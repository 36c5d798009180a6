using System.Management.Automation;
using XSArena.Core.Store;

namespace XSArena.PowerShell;

/// <summary>Resolves the project root from the PowerShell location (not the process working directory, which does
/// not follow Set-Location).</summary>
internal static class RootResolver
{
    public static string Resolve(PSCmdlet cmdlet)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable);
        // A typo in the variable would otherwise start a new, empty project there without a word.
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && !Directory.Exists(fromEnvironment))
        {
            cmdlet.ThrowTerminatingError(ErrorHelper.RootNotFound(
                $"{ProjectRoot.EnvironmentVariable} is '{fromEnvironment}', which is not a folder. Create it, or correct or remove the variable.",
                fromEnvironment));
        }
        return ProjectRoot.Resolve(fromEnvironment, cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);
    }
}
