// Before every component test file: the status and role lists the backend sends with
// app_status, as App.vue hands them to the labels module (a view mounted on its own has them too).
import { setLabels } from '../labels'
import { sampleLabels } from '../fixtures'

setLabels(sampleLabels)
