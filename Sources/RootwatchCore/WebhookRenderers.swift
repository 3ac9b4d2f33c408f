/// Picks the renderer for a configured webhook.
///
/// The only place that maps `format =` to a concrete renderer, so the outbox and `test-alert` hold an
/// `any WebhookRenderer` and never name a platform.
package enum WebhookRenderers {
    /// The renderer for `configuration.format`.
    package static func renderer(for configuration: WebhookConfiguration, context: WebhookContext)
        -> any WebhookRenderer
    {
        switch configuration.format {
        case .standard: WebhookStandardRenderer(configuration: configuration, context: context)
        case .dingtalk: WebhookDingTalkRenderer(configuration: configuration, context: context)
        case .lark: WebhookLarkRenderer(configuration: configuration, context: context)
        case .slack: WebhookSlackRenderer(configuration: configuration, context: context)
        case .teams: WebhookTeamsRenderer(configuration: configuration, context: context)
        case .wecom: WebhookWeComRenderer(configuration: configuration, context: context)
        }
    }
}
